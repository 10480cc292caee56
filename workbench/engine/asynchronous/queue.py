"""The durable asynchronous queue: events accepted with a 202 are run in the background, retried as AWS
retries them (see `retry.py`), and sent to dead-letter queues and destinations when they end.

Every accepted event is committed to the store before `accept` returns, and every change of its state is
written as it happens, so a workbench killed with `kill -9` picks its queue up at the next start: events that
were running are run again (at least once, as on AWS).

Events run at the function's own concurrency: they go through the scheduler like any invocation, so they
count towards reserved and account concurrency. Each function has a lane; when an attempt is throttled the
lane pauses until one of its running attempts finishes (or, with none running, until the throttled event's
backoff is over), so a burst of events into a small function waits in the queue instead of being throttled
thousands of times.

One engine per project processes the queue (`lease.py`): the others accept events into the store, and the
processor takes them from there (it looks every `async_poll_s`). The processor also prunes finished events
(`async_retention_s`, `async_retention_count`) and bounds each function's queue (`async_max_backlog`).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import json
import logging
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from workbench.engine.asynchronous.config import EventInvokeConfigs
from workbench.engine.asynchronous.delivery import Deliverer, DeliveryError
from workbench.engine.asynchronous.events import (
    AsyncAttemptStarted,
    AsyncDeliveryFailed,
    AsyncDestinationDelivered,
    AsyncEventDeadLettered,
    AsyncEventDiscarded,
    AsyncEventDropped,
    AsyncEventQueued,
    AsyncEventSucceeded,
    AsyncRetryScheduled,
    Condition,
    EventState,
)
from workbench.engine.asynchronous.lease import LeaseHolder, ProcessorLease
from workbench.engine.asynchronous.record import (
    FAILURE_DETAIL_TYPE,
    SUCCESS_DETAIL_TYPE,
    error_message_of,
    for_sns,
    invocation_record,
)
from workbench.engine.asynchronous.retry import RetryPolicy
from workbench.engine.asynchronous.statistics import AsyncCounters, AsyncQueueStatistics
from workbench.engine.asynchronous.store import QueuedEvent, QueueStore
from workbench.engine.catalogue.functions import FunctionRegistry, Target
from workbench.engine.core.clock import Clock
from workbench.engine.core.errors import LambdaError, ServiceError, TooManyRequestsError
from workbench.engine.core.settings import EngineSettings
from workbench.engine.core.tasks import Supervisor
from workbench.engine.execution.invocation import InvokeRequest, InvokeResult
from workbench.engine.execution.scheduler import Scheduler
from workbench.engine.observation.events import EventBus
from workbench.model.arn import LATEST

log = logging.getLogger(__name__)

Deliveries = Callable[[], Awaitable[None]]
#: Due times are epoch seconds (they survive restarts); timers run on the clock's monotonic seconds. Rounding
#: between the two must not leave an event that is due waiting for the next timer.
_EPSILON_S = 0.001
#: How often the processor prunes finished events (on the engine's clock).
PRUNE_EVERY_S = 60.0


@dataclass(slots=True)
class _Lane:
    """One function's events ready to run, and whether the function is taking more right now."""

    ready: deque[str] = field(default_factory=deque)
    running: int = 0
    blocked: bool = False            # throttled while attempts run: wait for one of them to finish
    paused_until: float | None = None

    def can_start(self, now: float, capacity: int) -> bool:
        """``capacity``: the function's concurrency (at least 1, so that a reservation of 0 is found out)."""
        return not self.blocked and self.running < max(1, capacity) and \
            (self.paused_until is None or now + _EPSILON_S >= self.paused_until)

    def throttled(self, now: float, delay: float) -> None:
        if self.running > 1:         # the throttled attempt itself still counts here
            self.blocked = True
        else:
            self.paused_until = now + delay


@dataclass(frozen=True, slots=True)
class _Failure:
    condition: Condition
    state: EventState
    reason: str
    error_code: int                  # the dead-letter message's ErrorCode: the HTTP status
    error_message: str


class AsyncQueue:
    def __init__(self, *, registry: FunctionRegistry, scheduler: Scheduler, clock: Clock, bus: EventBus,
                 settings: EngineSettings, supervisor: Supervisor, store: QueueStore, configs: EventInvokeConfigs,
                 deliverer: Deliverer, make_request: Callable[[Target, bytes, str], InvokeRequest],
                 reserved: Callable[[str], int | None],
                 invoke_async: Callable[[str, bytes], Awaitable[str]], lease: ProcessorLease) -> None:
        self._registry = registry
        self._scheduler = scheduler
        self._clock = clock
        self._bus = bus
        self._settings = settings
        self._supervisor = supervisor
        self._store = store
        self._configs = configs
        self._deliverer = deliverer
        self._make_request = make_request
        self._reserved = reserved
        self._invoke_async = invoke_async
        self._lease = lease
        self._open: dict[str, QueuedEvent] = {}
        self._depth: Counter[str] = Counter()       # open events per function, for the backlog bound
        self._seen_rowid = 0                        # the store's rows up to here have been looked at
        self._results: dict[str, tuple[Target, InvokeResult]] = {}
        self._timers: list[tuple[float, int, str]] = []
        self._sequence = itertools.count()
        self._lanes: dict[str, _Lane] = {}
        self._counters: dict[str, AsyncCounters] = {}
        self._wake = asyncio.Event()
        self._settled: list[asyncio.Future[None]] = []

    # -- lifecycle --------------------------------------------------------------------------------------
    async def start(self) -> int:
        """Become the project's processor if no other engine is (then take up the events a previous run left:
        running ones run again); returns how many were taken up."""
        taken = await self._take_up() if await self._lease.acquire() else 0
        if not self.processing:
            holder = self._lease.holder
            log.info("asynchronous queue: events are run by another engine on this project (process %s)",
                     holder.pid if holder else "?")
        self._supervisor.spawn(self._keep_lease(), "async-lease")
        self._supervisor.spawn(self._dispatch(), "async-queue")
        return taken

    async def close(self) -> None:
        """After the engine's tasks are cancelled: hand the queue over to the next engine."""
        await self._lease.release()

    @property
    def processing(self) -> bool:
        """Whether this engine runs the project's asynchronous events (holds the lease)."""
        return self._lease.held

    @property
    def processor(self) -> LeaseHolder | None:
        """The engine that runs them, as last seen in the store."""
        return self._lease.holder

    async def _take_up(self) -> int:
        self._seen_rowid, recovered = await self._store.open_events()
        taken = 0
        for event in recovered:
            if event.request_id in self._open:
                continue
            if event.state is EventState.RUNNING:
                event.state = EventState.QUEUED
                if event.history and "outcome" not in event.history[-1]:
                    event.history[-1]["outcome"] = "interrupted"
            taken += 1
            await self._admit(event, received=False)
        if taken:
            log.info("asynchronous queue: %d events taken up", taken)
        await self.prune()
        return taken

    async def _keep_lease(self) -> None:
        """The heartbeat (or, without the lease, the watch for a stale one), the look for events other engines
        accepted, and pruning."""
        beat_every = self._settings.async_lease_s / 3
        next_beat = self._clock.monotonic() + beat_every
        next_prune = self._clock.monotonic() + PRUNE_EVERY_S
        while True:
            held = self.processing
            await self._clock.sleep(min(self._settings.async_poll_s, beat_every) if held else beat_every)
            now = self._clock.monotonic()
            if not held:
                if await self._lease.acquire():
                    log.info("asynchronous queue: this engine now runs the project's events")
                    await self._take_up()
                    next_beat, next_prune = now + beat_every, now + PRUNE_EVERY_S
                continue
            if now >= next_beat:
                next_beat = now + beat_every
                if not await self._lease.renew():
                    self._step_down()
                    continue
            await self._take_new()
            if now >= next_prune:
                next_prune = now + PRUNE_EVERY_S
                await self.prune()

    async def _take_new(self) -> None:
        """Events other engines accepted since the last look (our own are in `_open` before they are written)."""
        self._seen_rowid, added = await self._store.added_since(self._seen_rowid)
        for event in added:
            if event.request_id not in self._open:
                await self._admit(event, received=True)

    def _step_down(self) -> None:
        """The lease was lost (this engine stalled past it and another took over): stop starting attempts.
        Attempts already running finish; the new processor may run them again (at least once)."""
        log.warning("asynchronous queue: another engine took over the project's events")
        self._open.clear()
        self._depth.clear()
        self._timers.clear()
        for lane in self._lanes.values():
            lane.ready.clear()

    async def prune(self) -> int:
        """Forget finished events past their retention (`async_retention_s`, `async_retention_count`)."""
        pruned = await self._store.prune(self._clock.time() - self._settings.async_retention_s,
                                         self._settings.async_retention_count)
        if pruned:
            log.info("asynchronous queue: %d finished events pruned", pruned)
        return pruned

    # -- accepting --------------------------------------------------------------------------------------
    async def accept(self, target: Target, request: InvokeRequest) -> None:
        """Queue an event durably: when this returns, the event is in the store. On an engine that does not
        process the queue, that is all: the processor takes it from the store."""
        name = target.version.name
        qualifier = None if target.invoked_arn == self._registry.arn(name) else target.qualifier
        now = self._clock.time()
        event = QueuedEvent(request.request_id, name, qualifier, request.payload, now, now)
        self._count(name).received += 1
        if not self.processing:
            await self._store.insert(event)
            self._bus.publish(AsyncEventQueued(now, event.request_id, name, qualifier))
            return
        over = self._depth[name] >= self._settings.async_max_backlog
        if over:
            self._mark_dropped(event)
        else:
            self._add_open(event)    # before the write: the look for other engines' events must not take it
        try:
            await self._store.insert(event)
        except BaseException:
            self._remove_open(event)
            raise
        self._bus.publish(AsyncEventQueued(now, event.request_id, name, qualifier))
        if over:
            self._dropped(event)
        else:
            self._schedule(event)

    async def _admit(self, event: QueuedEvent, *, received: bool) -> None:
        """An open event from the store (left by a previous run, or accepted by another engine) joins the queue,
        unless its function's queue is over its bound."""
        if received:
            self._count(event.function).received += 1
        if self._depth[event.function] >= self._settings.async_max_backlog:
            self._mark_dropped(event)
            await self._store.update(event)
            self._dropped(event)
            return
        self._add_open(event)
        self._schedule(event)

    def _add_open(self, event: QueuedEvent) -> None:
        self._open[event.request_id] = event
        self._depth[event.function] += 1

    def _remove_open(self, event: QueuedEvent) -> None:
        if self._open.pop(event.request_id, None) is not None:
            self._depth[event.function] -= 1

    def _mark_dropped(self, event: QueuedEvent) -> None:
        event.state = EventState.DROPPED
        event.finished = self._clock.time()
        event.outcome = (f"dropped: the function's asynchronous queue holds {self._depth[event.function]} events "
                         f"(async_max_backlog {self._settings.async_max_backlog})")

    def _dropped(self, event: QueuedEvent) -> None:
        """Announce a backlog drop, and send the event to the dead-letter queue (AWS sends dropped events to it)."""
        counters = self._count(event.function)
        counters.dropped += 1
        counters.backlog_dropped += 1
        self._bus.publish(AsyncEventDropped(self._clock.time(), event.request_id, event.function,
                                            self._depth[event.function], event.outcome or "dropped"))
        if event.function not in self._registry:
            return
        dead_letter = self._registry.get(event.function).latest.config.dead_letter_target
        if dead_letter is not None:
            failure = _Failure(Condition.EVENT_AGE_EXCEEDED, EventState.DROPPED, event.outcome or "dropped", 429,
                               "The function's asynchronous event queue is over its bound; the event was dropped")
            self._supervisor.spawn(self._to_dead_letter(event, dead_letter, failure), f"dead-letter-{event.request_id}")

    def _schedule(self, event: QueuedEvent) -> None:
        heapq.heappush(self._timers, (event.due, next(self._sequence), event.request_id))
        delay = event.due - self._clock.time() - _EPSILON_S
        if delay > 0:  # armed now, not when the dispatcher next runs: the retry is due exactly on time
            self._clock.call_later(delay, self._wake.set)
        self._wake.set()

    def _lane(self, function: str) -> _Lane:
        lane = self._lanes.get(function)
        if lane is None:
            lane = self._lanes[function] = _Lane()
        return lane

    def _count(self, function: str) -> AsyncCounters:
        counters = self._counters.get(function)
        if counters is None:
            counters = self._counters[function] = AsyncCounters()
        return counters

    # -- dispatching ------------------------------------------------------------------------------------
    async def _dispatch(self) -> None:
        while True:
            now = self._clock.time()
            while self._timers and self._timers[0][0] <= now + _EPSILON_S:
                _, _, request_id = heapq.heappop(self._timers)
                event = self._open.get(request_id)
                if event is not None and event.state in (EventState.QUEUED, EventState.RETRY_WAIT):
                    self._lane(event.function).ready.append(request_id)
            for function, lane in self._lanes.items():
                capacity = self._scheduler.governor.capacity(function)
                while lane.ready and lane.can_start(now, capacity):
                    lane.paused_until = None
                    event = self._open.get(lane.ready.popleft())
                    if event is not None:
                        lane.running += 1
                        self._supervisor.spawn(self._attempt(event, lane), f"event-{event.request_id}")
            self._wake.clear()
            wakes = [when for when in (lane.paused_until for lane in self._lanes.values() if lane.ready)
                     if when is not None]
            if self._timers:
                wakes.append(self._timers[0][0])
            handle = self._clock.call_later(max(0.0, min(wakes) - now - _EPSILON_S), self._wake.set) if wakes \
                else None
            try:
                await self._wake.wait()
            finally:
                if handle is not None:
                    handle.cancel()

    async def _attempt(self, event: QueuedEvent, lane: _Lane) -> None:
        deliveries: Deliveries | None = None
        try:
            deliveries = await self._try(event, lane)
        finally:
            lane.running -= 1
            lane.blocked = False
            self._wake.set()
        if deliveries is not None:
            await deliveries()

    def _policy(self, event: QueuedEvent) -> RetryPolicy:
        return self._configs.effective(event.function, event.qualifier).policy(self._settings.async_delay_scale)

    async def _try(self, event: QueuedEvent, lane: _Lane) -> Deliveries | None:
        policy = self._policy(event)
        now = self._clock.time()
        if policy.expired(event.received, now):
            return await self._give_up(event, None, _Failure(
                Condition.EVENT_AGE_EXCEEDED, EventState.EXPIRED, f"older than {policy.max_age_s:g} s", 429,
                "Event age exceeded"))
        try:
            target = self._registry.resolve(event.function, event.qualifier)
        except LambdaError as exc:
            await self._give_up(event, None, _Failure(Condition.RETRIES_EXHAUSTED, EventState.FAILED,
                                                      f"{exc.code}: {exc.message}", exc.status, exc.message))
            return None  # the function (or its alias) is gone, and its dead-letter queue and destinations with it
        entry: dict[str, object] = {"started": now, "version": target.version.version, "processor": self._lease.pid}
        event.history.append(entry)
        event.state = EventState.RUNNING
        await self._store.update(event)
        self._bus.publish(AsyncAttemptStarted(now, event.request_id, event.function, len(event.history)))
        try:
            result = await self._scheduler.execute(target, self._make_request(target, event.payload,
                                                                              event.request_id))
        except TooManyRequestsError as throttle:
            entry.update(ended=self._clock.time(), outcome="throttled", reason=throttle.reason)
            if self._reserved(event.function) == 0:
                return await self._give_up(event, target, _Failure(
                    Condition.ZERO_RESERVED_CONCURRENCY, EventState.FAILED, "reserved concurrency is 0", 429,
                    throttle.message))
            event.throttles += 1
            delay = policy.after_throttle(event.throttles)
            lane.throttled(self._clock.time(), delay)
            return await self._retry_later(event, target, policy, delay, f"Throttled ({throttle.reason})", _Failure(
                Condition.EVENT_AGE_EXCEEDED, EventState.EXPIRED, "throttled until past its maximum age", 429,
                throttle.message))
        except ServiceError as exc:
            entry.update(ended=self._clock.time(), outcome="service-error", reason=exc.message)
            event.throttles += 1
            return await self._retry_later(event, target, policy, policy.after_throttle(event.throttles),
                                           "ServiceError", _Failure(
                Condition.EVENT_AGE_EXCEEDED, EventState.EXPIRED, "service errors until past its maximum age", 500,
                exc.message))
        except LambdaError as exc:
            entry.update(ended=self._clock.time(), outcome="refused", reason=f"{exc.code}: {exc.message}")
            return await self._give_up(event, target, _Failure(
                Condition.RETRIES_EXHAUSTED, EventState.FAILED, f"{exc.code}: {exc.message}", exc.status, exc.message))
        event.attempts += 1
        self._count(event.function).invoked(now - event.received)
        entry.update(ended=self._clock.time(), outcome="error" if result.function_error else "success")
        if result.function_error is None:
            return await self._succeed(event, target, result)
        self._results[event.request_id] = (target, result)
        entry["error"] = error_message_of(result.payload, result.function_error)
        event.function_errors += 1
        next_delay = policy.after_function_error(event.function_errors)
        message = error_message_of(result.payload, "Unhandled")
        if next_delay is None:
            return await self._give_up(event, target, _Failure(
                Condition.RETRIES_EXHAUSTED, EventState.FAILED,
                f"{event.attempts} attempts failed", 200, message))
        return await self._retry_later(event, target, policy, next_delay, "FunctionError", _Failure(
            Condition.EVENT_AGE_EXCEEDED, EventState.EXPIRED, "its next retry would be past its maximum age", 200,
            message))

    async def _retry_later(self, event: QueuedEvent, target: Target, policy: RetryPolicy, delay: float, reason: str,
                           too_old: _Failure) -> Deliveries | None:
        now = self._clock.time()
        if policy.expired(event.received, now + delay):
            return await self._give_up(event, target, too_old)
        event.state = EventState.RETRY_WAIT
        event.due = now + delay
        await self._store.update(event)
        self._count(event.function).retries += 1
        self._bus.publish(AsyncRetryScheduled(now, event.request_id, event.function, len(event.history), delay,
                                              reason))
        self._schedule(event)
        return None

    # -- endings ----------------------------------------------------------------------------------------
    async def _finish(self, event: QueuedEvent, state: EventState, outcome: str) -> None:
        event.state = state
        event.outcome = outcome
        event.finished = self._clock.time()
        await self._store.update(event)
        self._remove_open(event)
        self._results.pop(event.request_id, None)
        settled, self._settled = self._settled, []
        for future in settled:
            if not future.done():
                future.set_result(None)

    def _function_arn(self, event: QueuedEvent) -> str:
        return self._registry.arn(event.function, event.qualifier or LATEST)

    async def _succeed(self, event: QueuedEvent, target: Target, result: InvokeResult) -> Deliveries | None:
        await self._finish(event, EventState.SUCCEEDED, str(Condition.SUCCESS))
        self._count(event.function).succeeded += 1
        self._bus.publish(AsyncEventSucceeded(self._clock.time(), event.request_id, event.function, event.attempts))
        destination = self._configs.effective(event.function, event.qualifier).on_success
        if destination is None:
            return None
        record = invocation_record(
            now=self._clock.time(), request_id=event.request_id, function_arn=self._function_arn(event),
            condition=Condition.SUCCESS, invoke_count=event.attempts, request_payload=event.payload,
            executed_version=result.executed_version, response_payload=result.payload)
        return lambda: self._to_destination(event, destination, Condition.SUCCESS, record)

    async def _give_up(self, event: QueuedEvent, target: Target | None, failure: _Failure) -> Deliveries | None:
        last = self._results.get(event.request_id)
        await self._finish(event, failure.state, f"{failure.condition}: {failure.reason}")
        counters = self._count(event.function)
        counters.dropped += 1
        if failure.state is EventState.EXPIRED:
            counters.expired += 1
        else:
            counters.failed += 1
        now = self._clock.time()
        self._bus.publish(AsyncEventDiscarded(now, event.request_id, event.function, failure.state, failure.condition,
                                              failure.reason))
        if event.function not in self._registry:
            return None
        version = self._registry.get(event.function).latest if target is None else target.version
        dead_letter = version.config.dead_letter_target
        destination = self._configs.effective(event.function, event.qualifier).on_failure
        result = last[1] if last is not None else None
        record = invocation_record(
            now=now, request_id=event.request_id, function_arn=self._function_arn(event),
            condition=failure.condition, invoke_count=event.attempts, request_payload=event.payload,
            executed_version=result.executed_version if result is not None else None,
            function_error=result.function_error if result is not None else None,
            response_payload=result.payload if result is not None else None)

        async def deliver() -> None:
            if dead_letter is not None:
                await self._to_dead_letter(event, dead_letter, failure)
            if destination is not None:
                await self._to_destination(event, destination, failure.condition, record)

        return deliver if dead_letter is not None or destination is not None else None

    async def _to_dead_letter(self, event: QueuedEvent, arn: str, failure: _Failure) -> None:
        body = event.payload.decode("utf-8", "replace") or "{}"
        attributes = {"RequestID": ("String", event.request_id), "ErrorCode": ("Number", str(failure.error_code)),
                      "ErrorMessage": ("String", failure.error_message or failure.reason)}
        try:
            await self._deliverer.send_message(arn, body, attributes)
        except (DeliveryError, LambdaError) as exc:
            # AWS: DeadLetterErrors, and the event is dropped (no second try); the store says so
            self._count(event.function).dead_letter_errors += 1
            self._delivery_failed(event, arn, exc)
            event.outcome = f"{event.outcome}; the dead-letter queue {arn} failed: dropped"
            await self._store.update(event)
            return
        self._count(event.function).dead_lettered += 1
        self._bus.publish(AsyncEventDeadLettered(self._clock.time(), event.request_id, event.function, arn))

    async def _to_destination(self, event: QueuedEvent, arn: str, condition: Condition,
                              record: dict[str, object]) -> None:
        service = arn.split(":")[2:3]
        try:
            if service == ["lambda"]:
                await self._invoke_async(arn, json.dumps(record).encode())
            elif service == ["s3"]:
                await self._deliverer.put_record(arn, record, event.function, self._clock.time())
            else:
                detail_type = SUCCESS_DETAIL_TYPE if condition is Condition.SUCCESS else FAILURE_DETAIL_TYPE
                shaped = for_sns(record) if arn.split(":")[2:3] == ["sns"] else record
                await self._deliverer.send_record(arn, shaped, detail_type, self._function_arn(event))
        except (DeliveryError, LambdaError) as exc:
            self._count(event.function).destination_delivery_failures += 1
            self._delivery_failed(event, arn, exc)
            return
        self._count(event.function).destination_deliveries += 1
        self._bus.publish(AsyncDestinationDelivered(self._clock.time(), event.request_id, event.function, condition,
                                                    arn, json.dumps(record)))

    def _delivery_failed(self, event: QueuedEvent, arn: str, error: Exception) -> None:
        text = f"{error.code}: {error.message}" if isinstance(error, LambdaError) else str(error)
        log.warning("event %s of %s: delivery to %s failed: %s", event.request_id, event.function, arn, text)
        self._bus.publish(AsyncDeliveryFailed(self._clock.time(), event.request_id, event.function, arn, text))

    # -- looking at it ----------------------------------------------------------------------------------
    def statistics(self, function: str) -> AsyncQueueStatistics:
        now = self._clock.time()
        events = [event for event in self._open.values() if event.function == function]
        counters = self._counters.get(function) or AsyncCounters()
        return AsyncQueueStatistics.of(
            counters, queued=sum(1 for e in events if e.state is EventState.QUEUED),
            running=sum(1 for e in events if e.state is EventState.RUNNING),
            waiting=sum(1 for e in events if e.state is EventState.RETRY_WAIT),
            oldest_age_s=max((now - e.received for e in events), default=0.0))

    def pending(self, function: str | None = None) -> int:
        """Open events this engine processes (of ``function``)."""
        return len(self._open) if function is None else self._depth[function]

    async def wait_settled(self, function: str | None = None) -> None:
        """Until no event (of ``function``) is queued, running or waiting for a retry."""
        while self.pending(function):
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._settled.append(future)
            await future
