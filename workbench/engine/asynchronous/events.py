"""What the asynchronous queue announces on the engine's bus: every step an event takes, so a class can watch
an event fail, wait, retry and land in a dead-letter queue."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workbench.engine.observation.events import EngineEvent


class EventState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRY_WAIT = "retry-wait"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"
    DROPPED = "dropped"      # never run: the function's queue was over its bound (`async_max_backlog`)

    @property
    def finished(self) -> bool:
        return self in (EventState.SUCCEEDED, EventState.FAILED, EventState.EXPIRED, EventState.DROPPED)


class Condition(StrEnum):
    """The invocation record's `requestContext.condition` (spec §5)."""

    SUCCESS = "Success"
    RETRIES_EXHAUSTED = "RetriesExhausted"
    EVENT_AGE_EXCEEDED = "EventAgeExceeded"
    ZERO_RESERVED_CONCURRENCY = "ZeroReservedConcurrency"


@dataclass(frozen=True, slots=True)
class AsyncInvocationEvent(EngineEvent):
    request_id: str
    function: str


@dataclass(frozen=True, slots=True)
class AsyncEventQueued(AsyncInvocationEvent):
    qualifier: str | None


@dataclass(frozen=True, slots=True)
class AsyncAttemptStarted(AsyncInvocationEvent):
    attempt: int


@dataclass(frozen=True, slots=True)
class AsyncRetryScheduled(AsyncInvocationEvent):
    attempt: int
    delay_s: float
    reason: str          # "FunctionError", "Throttled" (with the throttle's reason) or "ServiceError"


@dataclass(frozen=True, slots=True)
class AsyncEventSucceeded(AsyncInvocationEvent):
    attempts: int


@dataclass(frozen=True, slots=True)
class AsyncEventDiscarded(AsyncInvocationEvent):
    """The queue gave up on an event: retries exhausted, too old, reserved concurrency 0, function gone."""

    state: EventState
    condition: Condition
    reason: str


@dataclass(frozen=True, slots=True)
class AsyncEventDeadLettered(AsyncInvocationEvent):
    target: str


@dataclass(frozen=True, slots=True)
class AsyncDestinationDelivered(AsyncInvocationEvent):
    condition: Condition
    target: str
    #: The invocation record as delivered (JSON text), so a face can show what the destination received.
    record: str = ""


@dataclass(frozen=True, slots=True)
class AsyncDeliveryFailed(AsyncInvocationEvent):
    """A dead-letter queue or destination could not be reached; the event is dropped (as on AWS), never the
    queue."""

    target: str
    error: str


@dataclass(frozen=True, slots=True)
class AsyncEventDropped(AsyncInvocationEvent):
    """An accepted event dropped without being run because the function's queue held more than
    `EngineSettings.async_max_backlog` events (AWS: "events can be dropped under extreme backlog"). It stays in
    the store (state `dropped`, with its payload) and goes to the dead-letter queue when there is one."""

    backlog: int
    reason: str
