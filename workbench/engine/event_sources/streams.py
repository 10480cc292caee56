"""The Kinesis / DynamoDB stream poller of one mapping (spec §6.2).

One reader per shard, in order; a shard split or merged from others (resharding) is read only once its parents
have been read to their end, so per-key order holds across resharding. A batch is split by partition key into
ParallelizationFactor lanes that run at once, each in order; the next batch starts when all lanes are done and the
checkpoint (the last sequence number done) is stored. A failing batch blocks its lane: it is retried with backoff
until it succeeds, its records grow older than MaximumRecordAgeInSeconds, or MaximumRetryAttempts are spent; then
it is discarded with a failure record to the OnFailure destination. BisectBatchOnFunctionError halves a failed
batch (halving is not a retry). With ReportBatchItemFailures the lane resumes at the lowest reported sequence
number, and (with one lane) the checkpoint moves to just before it, so a restart during the retries resumes there.

Tumbling windows (one lane per shard): records are grouped by windows aligned to their arrival time; the
function's `state` is carried between the invocations of a window, and a last invocation with
`isFinalInvokeForWindow` closes it once its end has passed. A state over 1 MB closes the window early
(`isWindowTerminatedEarly`), as does the end of a shard closed by resharding.

Every wait is on the engine's clock, so the rules run in virtual time under a FakeClock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid as uuid_module
import zlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from workbench.engine.event_sources.clients import SdkError
from workbench.engine.event_sources.destinations import failure_record, send_failure_record
from workbench.engine.event_sources.events import MappingRecordsDiscarded
from workbench.engine.event_sources.outcome import judge
from workbench.engine.event_sources.records import iso_millis
from workbench.engine.event_sources.runtime import PAYLOAD_MAX, MappingRun
from workbench.engine.event_sources.shards import Shard, ShardSource
from workbench.engine.event_sources.store import Checkpoint
from workbench.engine.execution.invocation import InvokeResult

log = logging.getLogger(__name__)
Record = dict[str, Any]


#: A tumbling window's state is limited to 1 MB per shard; a bigger one closes the window early.
STATE_MAX = 1024 * 1024
Progress = Callable[[Record], Awaitable[None]]


class _Window:
    def __init__(self, start: float, length: int, state: dict[str, Any] | None = None) -> None:
        self.start = start
        self.end = start + length
        self.state: dict[str, Any] = state or {}

    @property
    def oversized(self) -> bool:
        return len(json.dumps(self.state)) > STATE_MAX


class StreamPoller:
    def __init__(self, run: MappingRun, source: ShardSource) -> None:
        self.run = run
        self.source = source
        self._readers: dict[str, asyncio.Task[None]] = {}
        self._finished: dict[str, asyncio.Event] = {}
        self._behind: dict[str, float] = {}
        self._buffered: dict[str, int] = {}
        #: The stream's creation time (0.0 when the service does not say), stored with every checkpoint.
        self._created: float | None = None

    async def run_forever(self) -> None:
        run = self.run
        try:
            while True:
                try:
                    if self._created is None:
                        self._created = await self.source.created() or 0.0
                    shards = await self.source.shards()
                    checkpoints = await run.store.checkpoints(run.config.uuid, run.config.source_arn,
                                                              self._created or None)
                except SdkError as exc:
                    run.counters.last_result = f"PROBLEM: {exc.message}"
                    await run.clock.sleep(run.settings.retry_delay_s)
                    continue
                listed = {shard.id for shard in shards}
                for shard in shards:
                    self._finished.setdefault(shard.id, asyncio.Event())
                for shard in shards:
                    if shard.id not in self._readers:
                        parents = [self._finished[parent] for parent in shard.parents if parent in listed]
                        self._readers[shard.id] = asyncio.get_running_loop().create_task(
                            self._after(parents, shard, checkpoints.get(shard.id)),
                            name=f"shard-{run.config.uuid}-{shard.id}")
                run.counters.pollers = sum(1 for task in self._readers.values() if not task.done())
                await run.clock.sleep(run.settings.shard_refresh_s)
        finally:
            readers = list(self._readers.values())
            for task in readers:
                task.cancel()
            for task in readers:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _after(self, parents: list[asyncio.Event], shard: Shard, checkpoint: Checkpoint | None) -> None:
        """Read ``shard`` once its parents are read to their end."""
        for parent in parents:
            await parent.wait()
        await self._shard(shard, checkpoint)
        self._finished[shard.id].set()

    # -- one shard ----------------------------------------------------------------------------------------
    async def _shard(self, shard: Shard, checkpoint: Checkpoint | None) -> None:
        run, config, shard_id = self.run, self.run.config, shard.id
        window: _Window | None = None
        if checkpoint is not None and checkpoint.window is not None and config.tumbling_window_s:
            window = _Window(float(checkpoint.window["start"]), config.tumbling_window_s,
                             dict(checkpoint.window.get("state") or {}))
        last = checkpoint.sequence if checkpoint else None
        interval = run.settings.kinesis_poll_interval_s if self.source.service == "kinesis" else \
            run.settings.dynamodb_poll_interval_s
        iterator: str | None = None
        buffer: list[Record] = []
        first_at = 0.0

        async def progress(record: Record) -> None:
            """A record and everything before it are done (one lane): the checkpoint moves up to it."""
            nonlocal last
            last = self.source.sequence(record)
            await self._save(shard_id, Checkpoint(last))

        while True:
            try:
                if iterator is None:
                    iterator = await self.source.iterator(shard_id, last)
                read = await self.source.read(shard_id, iterator, config.batch_size)
                iterator = read.next_iterator
                if read.behind_s is not None:
                    self._behind[shard_id] = read.behind_s
                    run.counters.iterator_age_s = max(self._behind.values())
                if read.records and not buffer:
                    first_at = run.clock.monotonic()
                buffer.extend(read.records)
                # The end of a closed shard: no next iterator (AWS), or (moto, which always gives one) a closed
                # shard read empty with nothing left behind its tip.
                ended = iterator is None or (shard.closed and not read.records and read.behind_s == 0)
                window_due = buffer and run.clock.monotonic() - first_at >= config.maximum_batching_window_s
                if buffer and (len(buffer) >= config.batch_size or window_due or ended):
                    batch, buffer = self._cut(buffer)
                    self._note_buffered(shard_id, len(buffer))
                    window = await self._handle(shard_id, batch, window, progress)
                    last = self.source.sequence(batch[-1])
                    await self._save(shard_id, Checkpoint(last, self._saved(window)))
                    if buffer:
                        first_at = run.clock.monotonic()
                    continue
                self._note_buffered(shard_id, len(buffer))
                if window is not None and not buffer and (ended or run.clock.time() >= window.end):
                    await self._close_window(shard_id, window, early=ended and run.clock.time() < window.end)
                    window = None
                    if last is not None:
                        await self._save(shard_id, Checkpoint(last))
                if ended and not buffer:
                    return  # a closed shard, read to its end: its children may start
                if not read.records:
                    await run.clock.sleep(interval)
            except asyncio.CancelledError:
                raise
            except SdkError as exc:
                if exc.code in ("ExpiredIteratorException", "TrimmedDataAccessException"):
                    iterator = None
                run.counters.last_result = f"PROBLEM: {exc.message}"
                await run.clock.sleep(run.settings.retry_delay_s)
            except Exception:  # never let one bad batch stop the shard
                log.exception("stream poller of mapping %s failed on shard %s", config.uuid, shard_id)
                await run.clock.sleep(run.settings.retry_delay_s)

    async def _save(self, shard: str, checkpoint: Checkpoint) -> None:
        run = self.run
        await run.store.save_checkpoint(run.config.uuid, run.config.source_arn, shard, checkpoint,
                                        self._created or None)

    def _note_buffered(self, shard: str, count: int) -> None:
        self._buffered[shard] = count
        self.run.counters.buffered = sum(self._buffered.values())

    def _cut(self, buffer: list[Record]) -> tuple[list[Record], list[Record]]:
        """The next batch (BatchSize records, within 6 MB) and what stays buffered."""
        size, end = 14, 0
        for end, record in enumerate(buffer[:self.run.config.batch_size], start=1):
            size += len(json.dumps(record)) + 1
            if size > PAYLOAD_MAX and end > 1:
                end -= 1
                break
        return buffer[:end], buffer[end:]

    @staticmethod
    def _saved(window: _Window | None) -> dict[str, Any] | None:
        return None if window is None else {"start": window.start, "state": window.state}

    async def _handle(self, shard: str, batch: list[Record], window: _Window | None,
                      progress: Progress) -> _Window | None:
        run, config = self.run, self.run.config
        if run.keep is not None:
            kept = [record for record in batch if run.keep(self.source.filter_document(record))]
            run.counters.filtered += len(batch) - len(kept)
            batch = kept
        if not batch:
            return window
        if config.tumbling_window_s:
            return await self._handle_windowed(shard, batch, window)
        if config.parallelization_factor == 1:
            await self._deliver(shard, batch, None, progress=progress)
            return None
        lanes: list[list[Record]] = [[] for _ in range(config.parallelization_factor)]
        for record in batch:
            lanes[zlib.crc32(self.source.partition_key(record).encode()) % len(lanes)].append(record)
        await asyncio.gather(*(self._deliver(shard, lane, None) for lane in lanes if lane))
        return None

    async def _handle_windowed(self, shard: str, batch: list[Record], window: _Window | None) -> _Window | None:
        length = self.run.config.tumbling_window_s
        groups: dict[float, list[Record]] = {}
        for record in batch:
            groups.setdefault(self.source.arrival(record) // length * length, []).append(record)
        for start, records in sorted(groups.items()):
            if window is not None and window.start != start:
                await self._close_window(shard, window, early=False)
                window = None
            if window is None:
                window = _Window(start, length)
            await self._deliver(shard, records, window)
            if window.oversized:  # over 1 MB of state: the window closes now, and a fresh one goes on
                await self._close_window(shard, window, early=True)
                window = _Window(start, length)
        return window

    async def _close_window(self, shard: str, window: _Window, *, early: bool) -> None:
        await self._deliver(shard, [], window, final=True, early=early)

    # -- one lane's batch, with retries ----------------------------------------------------------------------
    def _payload(self, shard: str, records: list[Record], window: _Window | None, final: bool,
                 early: bool) -> dict[str, Any]:
        payload: dict[str, Any] = {"Records": records}
        if window is not None:
            payload.update({"window": {"start": iso_millis(window.start), "end": iso_millis(window.end)},
                            "state": window.state, "shardId": shard, "eventSourceARN": self.run.config.source_arn,
                            "isFinalInvokeForWindow": final, "isWindowTerminatedEarly": early})
        return payload

    async def _deliver(self, shard: str, records: list[Record], window: _Window | None, *, final: bool = False,
                       early: bool = False, progress: Progress | None = None) -> None:
        """Invoke with ``records`` until done (succeeded, or given up on); ``progress`` hears of each record up to
        which everything is done, in order (one lane only: lanes finish out of order)."""
        run, config = self.run, self.run.config
        pending: deque[tuple[list[Record], int]] = deque([(records, 0)])
        while pending:
            batch, attempts = pending.popleft()
            delay = run.settings.retry_delay_s
            while True:
                if config.maximum_record_age_s != -1 and batch:
                    now = run.clock.time()
                    old = [r for r in batch if now - self.source.arrival(r) > config.maximum_record_age_s]
                    if old:
                        await self._discard(shard, old, "RecordAgeExceeded", None, attempts)
                        batch = [r for r in batch if r not in old]
                        if not batch:
                            break
                result = await run.invoke(self._payload(shard, batch, window, final, early))
                outcome = judge(result, [self.source.sequence(r) for r in batch],
                                report_failures=config.reports_item_failures, unknown_fails=False,
                                needs_state=window is not None)
                if outcome.ok:
                    if window is not None:
                        window.state = {} if final else (outcome.state or {})
                    run.report(shard, len(batch), "OK", 0, result.request_id)
                    if progress is not None and batch:
                        await progress(batch[-1])
                    break
                if outcome.partial and outcome.failed_ids:
                    failed = set(outcome.failed_ids)
                    first = next(i for i, r in enumerate(batch) if self.source.sequence(r) in failed)
                    if window is not None and outcome.state is not None:
                        window.state = outcome.state
                    if progress is not None and first > 0:  # AWS checkpoints before the lowest one reported
                        await progress(batch[first - 1])
                    batch = batch[first:]
                run.report(shard, len(batch), outcome.problem or "PROBLEM: Function call failed", len(batch),
                           result.request_id)
                if config.bisect_batch_on_function_error and len(batch) > 1:
                    middle = len(batch) // 2
                    pending.appendleft((batch[middle:], attempts))
                    pending.appendleft((batch[:middle], attempts))
                    break
                attempts += 1
                if config.maximum_retry_attempts != -1 and attempts > config.maximum_retry_attempts:
                    await self._discard(shard, batch, "RetryAttemptsExhausted", result, attempts)
                    if progress is not None:
                        await progress(batch[-1])
                    break
                await run.clock.sleep(delay)
                delay = min(delay * 2, run.settings.retry_delay_max_s)

    async def _discard(self, shard: str, batch: list[Record], condition: str, result: InvokeResult | None,
                       attempts: int) -> None:
        """Give up on ``batch``: a failure record (AWS's shape, without the records) to the OnFailure destination."""
        run, config = self.run, self.run.config
        destination = config.on_failure
        if destination and batch:
            info = {"shardId": shard, "startSequenceNumber": self.source.sequence(batch[0]),
                    "endSequenceNumber": self.source.sequence(batch[-1]),
                    "approximateArrivalOfFirstRecord": iso_millis(self.source.arrival(batch[0])),
                    "approximateArrivalOfLastRecord": iso_millis(self.source.arrival(batch[-1])),
                    "batchSize": len(batch), "streamArn": config.source_arn}
            record = failure_record(
                request_id=result.request_id if result else str(uuid_module.uuid4()), function_arn=run.function_arn,
                condition=condition, invoke_count=attempts, status_code=result.status_code if result else 200,
                executed_version=result.executed_version if result else None,
                function_error=result.function_error if result else None, timestamp=iso_millis(run.clock.time()),
                info_key=self.source.info_key, batch_info=info)
            try:
                await send_failure_record(run.clients, destination, record)
                run.counters.sent_to_destinations += 1
            except SdkError as exc:
                log.warning("mapping %s could not send its failure record to %s: %s", config.uuid, destination, exc)
                destination = None
        else:
            destination = None
        log.info("mapping %s discarded %d records of %s (%s)", config.uuid, len(batch), shard, condition)
        run.bus.publish(MappingRecordsDiscarded(run.clock.time(), config.uuid, shard, len(batch), condition,
                                                destination))
