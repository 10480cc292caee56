"""The platform's log lines in AWS's exact format (spec §2): TAB separators in REPORT, two decimals for
durations, whole milliseconds for billing."""

from __future__ import annotations

import math
import time


def iso_timestamp(epoch: float) -> str:
    """`2019-06-05T19:30:03.173Z`, as Lambda stamps its lines."""
    whole = int(epoch)
    millis = int((epoch - whole) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{millis:03d}Z"


def log_stream_name(epoch: float, version: str, env_id: str) -> str:
    """`YYYY/MM/DD/[<version>]<32 lowercase hex>`: one stream per execution environment."""
    return time.strftime("%Y/%m/%d", time.gmtime(epoch)) + f"/[{version}]{env_id}"


def log_group_name(function: str) -> str:
    return f"/aws/lambda/{function}"


def billed_duration(duration_ms: float, init_duration_ms: float | None = None) -> int:
    """1 ms granularity; an on-demand cold start also bills its init (spec §2.4)."""
    total = round(duration_ms, 2) + (round(init_duration_ms, 2) if init_duration_ms is not None else 0.0)
    return max(1, math.ceil(round(total, 2)))


def init_start_line(runtime_version: str, runtime_version_arn: str) -> str:
    return f"INIT_START Runtime Version: {runtime_version}\tRuntime Version ARN: {runtime_version_arn}"


def restore_start_line(runtime_version: str, runtime_version_arn: str) -> str:
    return f"RESTORE_START Runtime Version: {runtime_version}\tRuntime Version ARN: {runtime_version_arn}"


def restore_report_line(restore_duration_ms: float, status: str | None = None, error_type: str | None = None) -> str:
    line = f"RESTORE_REPORT Restore Duration: {restore_duration_ms:.2f} ms"
    if status:
        line += f"\tStatus: {status}"
    if error_type:
        line += f"\tError Type: {error_type}"
    return line


def init_report_line(init_duration_ms: float, phase: str, status: str | None = None,
                     error_type: str | None = None) -> str:
    line = f"INIT_REPORT Init Duration: {init_duration_ms:.2f} ms\tPhase: {phase}"
    if status:
        line += f"\tStatus: {status}"
    if error_type:
        line += f"\tError Type: {error_type}"
    return line


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def report_line(
    request_id: str,
    duration_ms: float,
    billed_ms: int,
    memory_size_mb: int,
    max_memory_used_mb: int,
    init_duration_ms: float | None = None,
    status: str | None = None,
    error_type: str | None = None,
    restore_duration_ms: float | None = None,
) -> str:
    line = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed_ms} ms\t"
        f"Memory Size: {memory_size_mb} MB\tMax Memory Used: {max_memory_used_mb} MB\t"
    )
    if init_duration_ms is not None:
        line += f"Init Duration: {init_duration_ms:.2f} ms\t"
    if restore_duration_ms is not None:
        line += (f"Restore Duration: {restore_duration_ms:.2f} ms\t"
                 f"Billed Restore Duration: {math.ceil(restore_duration_ms)} ms\t")
    if status:
        line += f"Status: {status}"
        if error_type:
            line += f"\tError Type: {error_type}"
    return line


def timeout_line(epoch: float, request_id: str, elapsed_s: float) -> str:
    return f"{iso_timestamp(epoch)} {request_id} Task timed out after {elapsed_s:.2f} seconds"
