"""What goes into an invocation and what comes out of it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from workbench.engine.observation.events import InvocationRecord


@dataclass(slots=True)
class InvokeRequest:
    """One request as the platform hands it to an environment. Never mutated; not frozen only because
    frozen dataclasses cost several microseconds to build and one is built per invocation."""

    request_id: str
    payload: bytes
    invoked_arn: str
    trace_header: str
    trace_id: str
    segment_id: str
    client_context: str | None = None      # decoded JSON text of X-Amz-Client-Context
    cognito_identity: str | None = None    # JSON text
    tenant_id: str | None = None
    content_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class InvokeResult:
    """The façade's answer to `invoke` (synchronous invocation)."""

    status_code: int
    payload: bytes
    function_error: str | None        # "Unhandled" (or "Handled") when the function failed
    executed_version: str
    request_id: str
    log_tail: str                     # this invocation's log lines (START ... REPORT)
    record: InvocationRecord | None = None

    @property
    def cold_start(self) -> bool:
        return self.record is not None and self.record.cold_start

    def json(self) -> Any:
        return json.loads(self.payload) if self.payload else None


def error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def error_type_of(payload: bytes) -> str | None:
    """The errorType a runtime put in its error document, if it is one."""
    try:
        document = json.loads(payload)
    except ValueError:
        return None
    value = document.get("errorType") if isinstance(document, dict) else None
    return value if isinstance(value, str) else None
