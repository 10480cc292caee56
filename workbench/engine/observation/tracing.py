"""X-Ray-style traces: ids, and export of a trace as X-Ray segment documents (spec §9)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from typing import Any

from workbench.engine.observation.events import Span, TraceRecord
from workbench.model.arn import function_arn


@dataclass(frozen=True, slots=True)
class SubsegmentNames:
    """AWS now labels them Init/Invoke/Overhead in places; RIE uses these. Configurable (spec §12.3)."""

    initialization: str = "Initialization"
    restore: str = "Restore"
    invocation: str = "Invocation"
    overhead: str = "Overhead"


def new_trace_id(epoch: float) -> str:
    return f"1-{int(epoch):08x}-{secrets.token_hex(12)}"


def new_segment_id() -> str:
    return os.urandom(8).hex()


def trace_header(trace_id: str, parent: str, sampled: bool) -> str:
    return f"Root={trace_id};Parent={parent};Sampled={int(sampled)}"


def _subsegment(name: str, span: Span) -> dict[str, Any]:
    return {"id": new_segment_id(), "name": name, "start_time": span.start, "end_time": span.end}


def to_xray_documents(trace: TraceRecord, names: SubsegmentNames = SubsegmentNames()) -> list[dict[str, Any]]:
    """The service segment (AWS::Lambda) and the function segment (AWS::Lambda::Function)."""
    qualified = function_arn(trace.function, trace.version)
    subsegments = []
    if trace.initialization is not None:
        subsegments.append(_subsegment(names.initialization, trace.initialization))
    if trace.restore is not None:
        subsegments.append(_subsegment(names.restore, trace.restore))
    subsegments.append(_subsegment(names.invocation, trace.invocation))
    if trace.overhead is not None:
        subsegments.append(_subsegment(names.overhead, trace.overhead))
    failed = trace.status != "success"
    service = {
        "id": new_segment_id(), "trace_id": trace.trace_id, "name": trace.function, "origin": "AWS::Lambda",
        "start_time": trace.start, "end_time": trace.end,
        "aws": {"request_id": trace.request_id, "function_arn": qualified},
        "http": {"response": {"status": 200}},
    }
    function_segment: dict[str, Any] = {
        "id": trace.segment_id, "trace_id": trace.trace_id, "parent_id": service["id"], "name": trace.function,
        "origin": "AWS::Lambda::Function", "start_time": trace.start, "end_time": trace.end,
        "aws": {"function_arn": qualified, "resource_names": [trace.function], "account_id": qualified.split(":")[4],
                "cold_start": trace.cold_start, "environment_id": trace.env_id},
        "subsegments": subsegments,
    }
    if failed:
        function_segment["error" if trace.status == "error" else "fault"] = True
        if trace.error_type:
            function_segment["cause"] = {"exceptions": [{"type": trace.error_type}]}
    return [service, function_segment]
