"""How an invocation ended, and what the invoker and the REPORT line say about it (spec §1.2, §2.3).

The runtime decides some outcomes (a response, an error, an oversize response, an init error); the platform
decides the others (the runtime exited or ran out of memory, the invocation timed out). `judge` turns any of
them into the payload the invoker receives and the status fields of the REPORT line.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.backends.base import ExitInfo
from workbench.engine.execution.invocation import error_payload, error_type_of
from workbench.model.limits import RUNTIME_RESPONSE_MAX
from workbench.runtime_api.endpoint import Errored, InitFailed, Responded, ResponseTooLarge


@dataclass(slots=True)
class RuntimeExited:
    info: ExitInfo


class TimedOut:
    pass


Outcome = Responded | Errored | ResponseTooLarge | InitFailed | RuntimeExited | TimedOut
OUTCOME_TYPES = (Responded, Errored, ResponseTooLarge, InitFailed, RuntimeExited, TimedOut)


@dataclass(frozen=True, slots=True)
class Verdict:
    payload: bytes
    status: str                   # "success", "error", "init-error", "crash", "timeout"
    error_type: str | None        # for the invocation record and the trace
    function_error: str | None    # X-Amz-Function-Error
    report_status: str | None     # REPORT's `Status:` (platform-level failures only)
    report_error: str | None      # REPORT's `Error Type:`

    @property
    def resets_environment(self) -> bool:
        """A crash or timeout kills the runtime; the next invocation re-runs init (spec §3)."""
        return self.status in ("crash", "timeout")


def exit_message(info: ExitInfo) -> str:
    if info.clean:
        return "Runtime exited without providing a reason"
    return f"Runtime exited with error: {info.describe()}"


def judge(outcome: Outcome, request_id: str, timeout_s: float) -> Verdict:
    if isinstance(outcome, Responded):
        return Verdict(outcome.body, "success", None, None, None, None)
    if isinstance(outcome, Errored):
        return Verdict(outcome.body, "error", error_type_of(outcome.body) or outcome.error_type, "Unhandled",
                       None, None)
    if isinstance(outcome, ResponseTooLarge):
        kind = "Function.ResponseSizeTooLarge"
        message = (f"Response payload size ({outcome.size} bytes) exceeded maximum allowed payload size "
                   f"({RUNTIME_RESPONSE_MAX} bytes).")
        return Verdict(error_payload(kind, message), "error", kind, "Unhandled", "error", kind)
    if isinstance(outcome, InitFailed):
        return Verdict(outcome.body, "init-error", outcome.error_type, "Unhandled", "error", outcome.error_type)
    if isinstance(outcome, RuntimeExited):
        kind = "Runtime.ExitError"
        payload = error_payload(kind, f"RequestId: {request_id} Error: {exit_message(outcome.info)}")
        return Verdict(payload, "crash", kind, "Unhandled", "error",
                       "Runtime.OutOfMemory" if outcome.info.oom else kind)
    kind = "Sandbox.Timedout"
    payload = error_payload(kind, f"RequestId: {request_id} Error: Task timed out after {timeout_s:.2f} seconds")
    return Verdict(payload, "timeout", kind, "Unhandled", "timeout", None)
