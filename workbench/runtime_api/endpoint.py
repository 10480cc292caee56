"""One execution environment's side of the Runtime API: its state machine and the invocation in flight.

The engine submits invocations and awaits their outcome future; the HTTP handlers in `server.py` move the
state machine as the runtime calls `next`, `response`, `error` and `init/error`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class EndpointState(StrEnum):
    INIT = "Init"              # runtime starting; its first `next` ends init
    READY = "Ready"            # runtime parked in `next`, nothing to do
    INVOKING = "Invoking"      # event delivered, waiting for response or error
    POST_INVOKE = "PostInvoke" # result posted, runtime has not asked for the next event yet
    CLOSED = "Closed"


@dataclass(slots=True)
class Responded:
    body: bytes


@dataclass(slots=True)
class Errored:
    body: bytes
    error_type: str  # normalised (Runtime|Function).Reason


@dataclass(slots=True)
class ResponseTooLarge:
    size: int


@dataclass(frozen=True, slots=True)
class InitFailed:
    body: bytes
    error_type: str


RuntimeOutcome = Responded | Errored | ResponseTooLarge


class RuntimeInvocation:
    """An event handed to a runtime. ``outcome`` resolves with what the runtime (or the engine) decided."""

    __slots__ = ("delivered_at", "done_at", "headers", "outcome", "payload", "request_id", "responded_at")

    def __init__(self, request_id: str, payload: bytes, headers: Mapping[str, str],
                 outcome: asyncio.Future[object]) -> None:
        self.request_id = request_id
        self.payload = payload
        self.headers = headers
        self.outcome = outcome
        self.delivered_at: float | None = None
        self.responded_at: float | None = None
        #: When the runtime asked for its next event after this one (the end of its Overhead).
        self.done_at: float | None = None


_ERROR_TYPE = re.compile(r"(Runtime|Function)\.[A-Z][a-zA-Z]+")


def normalise_error_type(header: str | None) -> str:
    """RIE's GetValidRuntimeOrFunctionErrorType: keep `Category.Reason`, else Function/Runtime.Unknown."""
    if header:
        match = _ERROR_TYPE.search(header)
        if match:
            return match.group(0)
        if header.startswith("Function."):
            return "Function.Unknown"
    return "Runtime.Unknown"


class RuntimeEndpoint:
    """State machine of one environment's Runtime API. Owned by the engine; driven by `server.py`."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.port = 0
        self.state = EndpointState.INIT
        self.current: RuntimeInvocation | None = None
        self._pending: RuntimeInvocation | None = None
        #: The parked `next`: called with the invocation to deliver, or with None when there will be none.
        self._parked: Callable[[RuntimeInvocation | None], None] | None = None
        self.init_done: asyncio.Future[InitFailed | None] = asyncio.get_running_loop().create_future()
        #: Called when the runtime asks for its next event after posting a result (end of Overhead).
        self.on_post_invoke_done: Callable[[RuntimeInvocation], None] | None = None
        #: Called when the runtime parks in `next` with nothing to deliver (the environment may freeze).
        self.on_parked: Callable[[], None] | None = None

    # -- engine side ------------------------------------------------------------------------------------
    def submit(self, invocation: RuntimeInvocation) -> None:
        """Hand an invocation to the runtime now, or as soon as it asks for one."""
        parked = self._parked
        if parked is not None:
            self._parked = None
            self._deliver(invocation)
            parked(invocation)   # answered now, not on a later turn of the loop
        else:
            self._pending = invocation

    def restart(self) -> None:
        """A new runtime process is starting in this environment: back to INIT."""
        self._fail_parked()
        self.state = EndpointState.INIT
        self.current = None
        self._pending = None
        self.init_done = asyncio.get_running_loop().create_future()

    def abandon(self) -> None:
        """The runtime process is gone (killed, crashed): forget what it was doing."""
        self._fail_parked()
        self.state = EndpointState.CLOSED
        self.current = None
        self._pending = None

    def _fail_parked(self) -> None:
        parked, self._parked = self._parked, None
        if parked is not None:
            parked(None)

    def _deliver(self, invocation: RuntimeInvocation) -> None:
        invocation.delivered_at = self._now()
        self.current = invocation
        self.state = EndpointState.INVOKING

    # -- runtime side (called by the HTTP handlers) -----------------------------------------------------
    def next_requested(self, park: Callable[[RuntimeInvocation | None], None]) -> RuntimeInvocation | str | None:
        """The runtime called `next`: an invocation to return at once, a state error, or None when the request
        parks: ``park`` is then called with the invocation when one is submitted (synchronously, so the event
        goes out without a turn of the event loop), or with None when the runtime will get none."""
        state = self.state
        if state is EndpointState.INVOKING or state is EndpointState.CLOSED:
            return (f"State transition from {state.value} to Ready failed for runtime. "
                    "Error: State transition is not allowed")
        if state is EndpointState.INIT:
            if not self.init_done.done():
                self.init_done.set_result(None)
        elif state is EndpointState.POST_INVOKE:
            finished = self.current
            self.current = None
            if finished is not None:
                finished.done_at = self._now()
                if self.on_post_invoke_done is not None:
                    self.on_post_invoke_done(finished)
        elif self._parked is not None:
            return "State transition from Ready to Ready failed for runtime. Error: already waiting for next"
        self.state = EndpointState.READY
        pending = self._pending
        if pending is not None:
            self._pending = None
            self._deliver(pending)
            return pending
        self._parked = park
        if self.on_parked is not None:
            self.on_parked()
        return None

    def is_current(self, request_id: str) -> bool:
        current = self.current
        return self.state is EndpointState.INVOKING and current is not None and current.request_id == request_id

    def complete(self, request_id: str, outcome: RuntimeOutcome) -> bool:
        """The runtime posted a result for ``request_id``. False when it is not the invocation in flight."""
        if not self.is_current(request_id):
            return False
        invocation = self.current
        assert invocation is not None
        self.state = EndpointState.POST_INVOKE
        invocation.responded_at = self._now()
        if not invocation.outcome.done():
            invocation.outcome.set_result(outcome)
        return True

    def init_error(self, failure: InitFailed) -> bool:
        if self.state is not EndpointState.INIT:
            return False
        if not self.init_done.done():
            self.init_done.set_result(failure)
        self.state = EndpointState.CLOSED
        return True
