"""The SQS poller of one mapping (spec §6.1).

Pollers are worker tasks that each receive a batch (long polling, up to BatchSize within the batching window and
6 MB), invoke the function with it, and delete what succeeded. A failed batch is left alone: its messages
reappear after the queue's visibility timeout with ApproximateReceiveCount one higher, and the queue's redrive
policy (maxReceiveCount) moves them to its dead-letter queue — SQS's own rules, so the same code is right
against any endpoint. FIFO queues keep order because SQS hands out a message group to one receiver at a time;
the poller keeps the messages after a group's failed one as well.

Scaling: pollers start at 5 (or MaximumConcurrency when smaller), grow with the backlog and shrink to 2 (or
MaximumConcurrency) when idle, never beyond MaximumConcurrency.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from typing import Any

from workbench.engine.event_sources.clients import SdkError, queue_url
from workbench.engine.event_sources.outcome import judge
from workbench.engine.event_sources.records import sqs_record
from workbench.engine.event_sources.runtime import PAYLOAD_MAX, MappingRun

log = logging.getLogger(__name__)

#: ReceiveMessage hands out at most 10 messages per call.
RECEIVE_MAX = 10
#: Bytes of `{"Records":[]}` and the commas between records.
_ENVELOPE = 14


def filter_document(record: dict[str, Any]) -> dict[str, Any]:
    """What FilterCriteria see of an SQS record: the record, with a JSON body parsed (patterns on `body` name
    its fields)."""
    try:
        body = json.loads(record["body"])
    except ValueError:
        return record
    return {**record, "body": body}


class SqsPoller:
    def __init__(self, run: MappingRun, function_timeout_s: float) -> None:
        self.run = run
        self._function_timeout_s = function_timeout_s
        self._url = ""
        self._visibility_s = 30
        self._workers: set[asyncio.Task[None]] = set()
        self._target = 1

    @property
    def _cap(self) -> int:
        config, settings = self.run.config, self.run.settings
        return min(config.maximum_concurrency or settings.sqs_max_pollers, settings.sqs_max_pollers)

    async def run_forever(self) -> None:
        run = self.run
        delay = run.settings.retry_delay_s
        while not self._url:
            try:
                self._url = await queue_url(run.clients, run.config.source_arn)
                answer = await run.clients.call("sqs", "get_queue_attributes", QueueUrl=self._url,
                                                AttributeNames=["VisibilityTimeout"])
                self._visibility_s = int(answer.get("Attributes", {}).get("VisibilityTimeout", 30))
            except SdkError as exc:
                self._url = ""
                run.counters.last_result = f"PROBLEM: {exc.message}"
                await run.clock.sleep(delay)
                delay = min(delay * 2, run.settings.retry_delay_max_s)
        self._target = min(run.settings.sqs_initial_pollers, self._cap)
        try:
            while True:
                while len(self._workers) < self._target:
                    task = asyncio.get_running_loop().create_task(self._worker(), name=f"sqs-{run.config.uuid}")
                    self._workers.add(task)
                    task.add_done_callback(self._workers.discard)
                run.counters.pollers = len(self._workers)
                await run.clock.sleep(run.settings.sqs_scale_interval_s)
                await self._scale()
        finally:
            workers = list(self._workers)
            for task in workers:
                task.cancel()
            for task in workers:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _scale(self) -> None:
        """AWS's rule: more pollers while the backlog is more than they take in one round, at most
        `sqs_scale_up_per_minute` more a minute and never beyond MaximumConcurrency; back to the floor (2, or
        MaximumConcurrency when smaller) once the queue is empty."""
        run = self.run
        try:
            answer = await run.clients.call("sqs", "get_queue_attributes", QueueUrl=self._url,
                                            AttributeNames=["ApproximateNumberOfMessages"])
        except SdkError:
            return
        backlog = int(answer.get("Attributes", {}).get("ApproximateNumberOfMessages", 0))
        run.counters.backlog = backlog
        wanted = math.ceil(backlog / run.config.batch_size)
        if wanted > self._target:
            step = max(1, round(run.settings.sqs_scale_up_per_minute * run.settings.sqs_scale_interval_s / 60))
            self._target = min(self._cap, wanted, self._target + step)
        elif backlog == 0:
            self._target = min(run.settings.sqs_min_pollers, self._cap)

    async def _worker(self) -> None:
        run = self.run
        while True:
            if len(self._workers) > self._target:  # scaling down: this poller goes
                current = asyncio.current_task()
                if current is not None:
                    self._workers.discard(current)
                run.counters.pollers = len(self._workers)
                return
            try:
                messages = await self._collect()
                if messages:
                    await self._process(messages)
            except asyncio.CancelledError:
                raise
            except SdkError as exc:  # the queue went away, the endpoint is down: wait and try again
                run.counters.last_result = f"PROBLEM: {exc.message}"
                await run.clock.sleep(run.settings.retry_delay_s)
            except Exception:  # a poller never dies of one bad batch
                log.exception("SQS poller of mapping %s failed on a batch", run.config.uuid)
                await run.clock.sleep(run.settings.retry_delay_s)

    async def _receive(self, count: int, wait_s: int) -> list[dict[str, Any]]:
        answer = await self.run.clients.call(
            "sqs", "receive_message", QueueUrl=self._url, MaxNumberOfMessages=count, WaitTimeSeconds=wait_s,
            MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"])
        return list(answer.get("Messages") or [])

    async def _collect(self) -> list[dict[str, Any]]:
        """A batch: up to BatchSize, gathered for at most the batching window (on the engine's clock) once the
        first message is in. Long polls never outlast the window; without long polling (``sqs_wait_s`` 0) the
        polls are paced on the engine's clock, so the window runs in virtual time under a FakeClock."""
        run, config, settings = self.run, self.run.config, self.run.settings
        messages = await self._receive(min(RECEIVE_MAX, config.batch_size), settings.sqs_wait_s)
        if not messages:
            if settings.sqs_wait_s == 0:
                await run.clock.sleep(settings.sqs_short_poll_s)
            return messages
        if config.maximum_batching_window_s == 0:
            return messages
        deadline = run.clock.monotonic() + config.maximum_batching_window_s
        run.counters.buffered += len(messages)
        try:
            while len(messages) < config.batch_size:
                remaining = deadline - run.clock.monotonic()
                if remaining <= 0:
                    break
                wait = min(settings.sqs_wait_s, int(remaining))
                more = await self._receive(min(RECEIVE_MAX, config.batch_size - len(messages)), wait)
                messages.extend(more)
                run.counters.buffered += len(more)
                remaining = deadline - run.clock.monotonic()  # the receive took time (virtual time moves too)
                if not more and wait == 0 and remaining > 0:
                    await run.clock.sleep(min(remaining, settings.sqs_short_poll_s))
        finally:
            run.counters.buffered -= len(messages)
        return messages

    async def _process(self, messages: list[dict[str, Any]]) -> None:
        run, config = self.run, self.run.config
        records = [sqs_record(message, config.source_arn, run.region) for message in messages]
        if run.keep is not None:
            dropped = [record for record in records if not run.keep(filter_document(record))]
            if dropped:
                run.counters.filtered += len(dropped)
                await self._delete(dropped)  # filtered-out messages are deleted, as on AWS
                records = [record for record in records if record not in dropped]
        records = await self._fit(records)
        if not records:
            return
        await self._extend_visibility(records)
        result = await run.invoke({"Records": records})
        outcome = judge(result, [record["messageId"] for record in records],
                        report_failures=config.reports_item_failures, unknown_fails=True)
        if outcome.ok:
            await self._delete(records)
            run.report(None, len(records), "OK", 0, result.request_id)
            return
        if outcome.failed_ids is None:  # the whole batch reappears after the visibility timeout
            run.report(None, len(records), outcome.problem or "PROBLEM: Function call failed", len(records),
                       result.request_id)
            return
        failed = set(outcome.failed_ids)
        if config.fifo:  # a group's messages after its failed one must not overtake it
            blocked = set()
            for record in records:
                group = record["attributes"].get("MessageGroupId")
                if record["messageId"] in failed:
                    blocked.add(group)
                elif group in blocked:
                    failed.add(record["messageId"])
        await self._delete([record for record in records if record["messageId"] not in failed])
        run.report(None, len(records), outcome.problem or "PROBLEM", len(failed), result.request_id)

    async def _fit(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The records that fit in one 6 MB invoke; the rest are made visible again at once."""
        size = _ENVELOPE
        for index, record in enumerate(records):
            size += len(json.dumps(record)) + 1
            if size > PAYLOAD_MAX and index > 0:
                await self._release(records[index:])
                return records[:index]
        return records

    async def _release(self, records: list[dict[str, Any]]) -> None:
        await self._change_visibility(records, 0)

    async def _extend_visibility(self, records: list[dict[str, Any]]) -> None:
        """When window + function timeout exceed the queue's visibility timeout, Lambda keeps the batch hidden
        for window + timeout + 30 s (spec §6.1)."""
        needed = self.run.config.maximum_batching_window_s + self._function_timeout_s
        if needed > self._visibility_s:
            await self._change_visibility(records, int(needed + 30))

    async def _change_visibility(self, records: list[dict[str, Any]], seconds: int) -> None:
        for start in range(0, len(records), RECEIVE_MAX):
            entries = [{"Id": str(i), "ReceiptHandle": r["receiptHandle"], "VisibilityTimeout": seconds}
                       for i, r in enumerate(records[start:start + RECEIVE_MAX])]
            await self.run.clients.call("sqs", "change_message_visibility_batch", QueueUrl=self._url, Entries=entries)

    async def _delete(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), RECEIVE_MAX):
            entries = [{"Id": str(i), "ReceiptHandle": r["receiptHandle"]}
                       for i, r in enumerate(records[start:start + RECEIVE_MAX])]
            answer = await self.run.clients.call("sqs", "delete_message_batch", QueueUrl=self._url, Entries=entries)
            for failure in answer.get("Failed") or []:
                log.warning("mapping %s could not delete a message: %s", self.run.config.uuid, failure)
