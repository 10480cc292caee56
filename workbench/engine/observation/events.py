"""Immutable events the engine publishes, and the bus that delivers them.

Faces (GUI, CLI, HTTP API) subscribe; they never reach into engine internals. Subscribers are called
synchronously, in order, on the event loop: they must be cheap (append to a buffer, set a flag) because
the invoke path publishes several events per invocation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from enum import StrEnum

log = logging.getLogger(__name__)


class EnvState(StrEnum):
    STARTING = "starting"          # runtime process being launched
    INITIALISING = "initialising"  # runtime and function init running
    IDLE = "idle"                  # warm, waiting (briefly, before it is frozen)
    FROZEN = "frozen"              # warm, paused between invocations
    BUSY = "busy"                  # serving one invocation
    STOPPED = "stopped"


class InitType(StrEnum):
    ON_DEMAND = "on-demand"
    PROVISIONED = "provisioned-concurrency"
    SNAP_START = "snap-start"


@dataclass(frozen=True, slots=True)
class EngineEvent:
    timestamp: float


@dataclass(frozen=True, slots=True)
class EnvironmentEvent(EngineEvent):
    env_id: str
    function: str
    version: str
    init_type: InitType

    @property
    def state(self) -> EnvState:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class EnvironmentStarting(EnvironmentEvent):
    log_stream: str

    @property
    def state(self) -> EnvState:
        return EnvState.STARTING


@dataclass(frozen=True, slots=True)
class EnvironmentInitialised(EnvironmentEvent):
    init_duration_ms: float

    @property
    def state(self) -> EnvState:
        return EnvState.IDLE


@dataclass(frozen=True, slots=True)
class EnvironmentInitFailed(EnvironmentEvent):
    error_type: str
    phase: str  # "init" or "invoke", as in INIT_REPORT

    @property
    def state(self) -> EnvState:
        return EnvState.INITIALISING


@dataclass(frozen=True, slots=True)
class EnvironmentBusy(EnvironmentEvent):
    request_id: str

    @property
    def state(self) -> EnvState:
        return EnvState.BUSY


@dataclass(frozen=True, slots=True)
class EnvironmentIdle(EnvironmentEvent):
    @property
    def state(self) -> EnvState:
        return EnvState.IDLE


@dataclass(frozen=True, slots=True)
class EnvironmentFrozen(EnvironmentEvent):
    @property
    def state(self) -> EnvState:
        return EnvState.FROZEN


@dataclass(frozen=True, slots=True)
class EnvironmentStopped(EnvironmentEvent):
    reason: str  # "idle", "lifetime", "code-update", "shutdown", "init-failed", ...

    @property
    def state(self) -> EnvState:
        return EnvState.STOPPED


@dataclass(frozen=True, slots=True)
class InvocationStarted(EngineEvent):
    request_id: str
    function: str
    version: str
    env_id: str
    cold_start: bool


@dataclass(frozen=True, slots=True)
class InvocationFinished(EngineEvent):
    record: InvocationRecord


@dataclass(frozen=True, slots=True)
class InvocationRecord:
    """What the platform knows about one finished invocation (the REPORT line, and more)."""

    request_id: str
    function: str
    version: str
    env_id: str
    log_stream: str
    cold_start: bool
    init_type: InitType
    started_at: float          # epoch seconds, when the event reached the runtime
    duration_ms: float
    billed_duration_ms: int
    init_duration_ms: float | None
    memory_size_mb: int
    max_memory_used_mb: int
    status: str                # "success", "error" (function error), "timeout", "crash", "init-error"
    error_type: str | None = None
    #: Why init ran inside this invocation (a "suppressed init": the cold start's init failed, or the previous
    #: invocation reset the environment); None when it did not. Faces label such a warm call so.
    reinit_reason: str | None = None
    #: How long that re-run init took (ms; not part of REPORT's Init Duration, as on Lambda).
    reinit_ms: float | None = None


@dataclass(frozen=True, slots=True)
class LogLine(EngineEvent):
    function: str
    log_stream: str
    request_id: str | None
    message: str
    platform: bool = False     # START/END/REPORT/INIT_* lines written by the workbench itself


@dataclass(frozen=True, slots=True)
class BackendNotice(EngineEvent):
    """Something the user should know about how the backend runs functions, said once (e.g. that the process
    backend found no sandbox on this machine). Faces show it; `Engine.notices` keeps it for late subscribers."""

    backend: str
    message: str


@dataclass(frozen=True, slots=True)
class Throttled(EngineEvent):
    function: str
    qualifier: str
    reason: str


@dataclass(frozen=True, slots=True)
class PipelineStageChanged(EngineEvent):
    """A pipeline run's stage (Source, Build, Deploy) changed status; the run's own status comes with it."""

    run_id: int
    commit: str
    stage: str
    status: str          # running, succeeded, failed, rolled-back, skipped
    run_status: str      # running, succeeded, failed, rolled-back


@dataclass(frozen=True, slots=True)
class ProvisionedConcurrencyChanged(EngineEvent):
    """A provisioned concurrency configuration changed status or allocation."""

    function: str
    qualifier: str
    requested: int
    allocated: int
    available: int
    status: str          # IN_PROGRESS, READY or FAILED
    reason: str | None = None


class CatalogueResource(StrEnum):
    FUNCTION = "function"
    VERSION = "version"
    ALIAS = "alias"
    LAYER = "layer"
    RESERVED_CONCURRENCY = "reserved-concurrency"
    PROVISIONED_CONCURRENCY = "provisioned-concurrency"
    EVENT_SOURCE_MAPPING = "event-source-mapping"
    EVENT_INVOKE_CONFIG = "event-invoke-config"


class Change(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class CatalogueChanged(EngineEvent):
    """Something a face shows changed: a function was created, its code or configuration updated, a version
    published, an alias moved, a layer published, concurrency set. Faces refresh on these instead of polling.

    ``name`` is the function (or layer) name; ``qualifier`` the version, alias or layer version concerned;
    ``initiator`` who asked (`workbench.engine.core.initiator`).
    """

    resource: CatalogueResource
    change: Change
    name: str
    qualifier: str | None
    initiator: str


@dataclass(frozen=True, slots=True)
class TraceRecorded(EngineEvent):
    trace: TraceRecord


@dataclass(frozen=True, slots=True)
class Span:
    start: float   # epoch seconds
    end: float

    @property
    def duration_ms(self) -> float:
        return (self.end - self.start) * 1000.0


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One invocation's timeline: Initialization (cold starts only) or Restore (SnapStart), Invocation,
    Overhead."""

    trace_id: str
    segment_id: str
    request_id: str
    function: str
    version: str
    env_id: str
    cold_start: bool
    initialization: Span | None
    invocation: Span
    overhead: Span | None
    status: str
    error_type: str | None = None
    #: SnapStart: restoring this environment from its version's snapshot (in place of Initialization).
    restore: Span | None = None

    @property
    def start(self) -> float:
        first = self.initialization or self.restore
        return first.start if first else self.invocation.start

    @property
    def end(self) -> float:
        return self.overhead.end if self.overhead else self.invocation.end


Subscriber = Callable[[EngineEvent], None]


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call ``subscriber`` for every event from now on; returns a function that unsubscribes."""
        self._subscribers = [*self._subscribers, subscriber]

        def unsubscribe() -> None:
            self._subscribers = [s for s in self._subscribers if s is not subscriber]

        return unsubscribe

    def publish(self, event: EngineEvent) -> None:
        for subscriber in self._subscribers:
            try:
                subscriber(event)
            except Exception:
                log.exception("event subscriber %r failed on %r", subscriber, event)

    async def stream(self, maxsize: int = 0) -> AsyncIterator[EngineEvent]:
        """Events as an async iterator (for faces that prefer to await). Unsubscribes when closed."""
        queue: asyncio.Queue[EngineEvent] = asyncio.Queue(maxsize)
        unsubscribe = self.subscribe(queue.put_nowait)
        try:
            while True:
                yield await queue.get()
        finally:
            unsubscribe()
