"""What destinations and dead-letter queues receive (spec §5): AWS's invocation record (version 1.0) and the
dead-letter message's attributes."""

from __future__ import annotations

import json
import time
from typing import Any

from workbench.engine.asynchronous.events import Condition

#: SNS messages are at most 256 KB; above it the record goes without its payloads (spec §5).
SNS_MESSAGE_MAX = 256 * 1024
#: A dead-letter message's ErrorMessage attribute carries the first 1 KB of the error message.
DLQ_ERROR_MESSAGE_MAX = 1024
SUCCESS_DETAIL_TYPE = "Lambda Function Invocation Result - Success"
FAILURE_DETAIL_TYPE = "Lambda Function Invocation Result - Failure"


def iso_millis(epoch: float) -> str:
    """2019-11-14T18:16:05.568Z"""
    seconds = int(epoch)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int((epoch - seconds) * 1000):03d}Z"


def parse_payload(payload: bytes) -> Any:
    """A payload as the record carries it: parsed JSON, or the text when it is not JSON."""
    if not payload:
        return None
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return payload.decode("utf-8", "replace")


def invocation_record(*, now: float, request_id: str, function_arn: str, condition: Condition,
                      invoke_count: int, request_payload: bytes, executed_version: str | None = None,
                      function_error: str | None = None, response_payload: bytes | None = None) -> dict[str, Any]:
    """The record; ``executed_version`` None means no attempt ran (the response members are left out)."""
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": iso_millis(now),
        "requestContext": {"requestId": request_id, "functionArn": function_arn, "condition": str(condition),
                           "approximateInvokeCount": invoke_count},
        "requestPayload": parse_payload(request_payload),
    }
    if executed_version is not None:
        context: dict[str, Any] = {"statusCode": 200, "executedVersion": executed_version}
        if function_error is not None:
            context["functionError"] = function_error
        record["responseContext"] = context
        record["responsePayload"] = parse_payload(response_payload or b"")
    return record


def for_sns(record: dict[str, Any]) -> dict[str, Any]:
    """The record as an SNS destination gets it: without the payloads when it would pass SNS's limit."""
    if len(json.dumps(record).encode()) <= SNS_MESSAGE_MAX:
        return record
    return {key: value for key, value in record.items() if key not in ("requestPayload", "responsePayload")}


def error_message_of(payload: bytes | None, fallback: str) -> str:
    """The errorMessage of a function's error document (or ``fallback``), cut to a dead-letter attribute's 1 KB."""
    message = fallback
    parsed = parse_payload(payload or b"")
    if isinstance(parsed, dict) and isinstance(parsed.get("errorMessage"), str):
        message = parsed["errorMessage"]
    return message.encode()[:DLQ_ERROR_MESSAGE_MAX].decode("utf-8", "ignore")
