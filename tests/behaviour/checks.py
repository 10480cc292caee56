"""What every runtime's behaviour tests check alike: the log lines AWS writes around an invocation, an
environment reused between two calls, the context a handler sees, and a timeout that resets the environment.
Each runtime's test keeps what is its own (the names its context keys have, its logger's format)."""

from __future__ import annotations

import re
from typing import Any

from workbench.engine import Engine, InvokeResult

#: The base64 client context {"custom": {"k": "v"}}, as the SDKs send it in X-Amz-Client-Context.
CLIENT_CONTEXT = "eyJjdXN0b20iOiB7ImsiOiAidiJ9fQ=="
#: A log stream's name on Lambda: date, [version] and 32 hex digits.
LOG_STREAM = r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}"
ACCOUNT_ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


def assert_cold_report(line: str, request_id: str, memory: int) -> None:
    """``line`` is the REPORT line of a cold start, as AWS writes it (with Init Duration, tabs and all)."""
    assert re.fullmatch(rf"REPORT RequestId: {request_id}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
                        rf"Memory Size: {memory} MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t",
                        line), line


def assert_reused(first: InvokeResult, second: InvokeResult, init_pid_key: str) -> tuple[Any, Any]:
    """Two calls served by one environment: init ran once (in the process that then served both), the first
    was the cold start. Returns both answers' JSON."""
    assert first.function_error is None, first.payload
    one, two = first.json(), second.json()
    assert [one["calls"], two["calls"]] == [1, 2] and one["pid"] == two["pid"] == one[init_pid_key]
    assert [first.cold_start, second.cold_start] == [True, False]
    return one, two


def assert_camel_case_context(answer: dict[str, Any], result: InvokeResult, name: str, memory: int,
                              timeout_ms: int) -> None:
    """The context a handler echoed under the camelCase keys the compiled runtimes' test functions (Java, .NET)
    use, for a first call with the event {"n": 1} and CLIENT_CONTEXT."""
    assert answer["event"] == {"n": 1} and answer["requestId"] == result.request_id
    assert answer["functionName"] == name and answer["functionVersion"] == "$LATEST"
    assert answer["arn"] == ACCOUNT_ARN + name
    assert answer["memory"] == memory and answer["logGroup"] == f"/aws/lambda/{name}"
    assert re.fullmatch(LOG_STREAM, answer["logStream"])
    assert 0 < answer["remaining"] <= timeout_ms and answer["custom"] == {"k": "v"}


async def assert_timeout_resets(engine: Engine, function: str) -> InvokeResult:
    """Call ``function`` (a test function that sleeps for the event's "sleep" seconds and counts its calls)
    into its timeout, then again: the timeout reset the environment, so init ran again. Returns the timeout."""
    timed_out = await engine.invoke(function, b'{"sleep": 5}')
    after = await engine.invoke(function, b"{}")
    assert timed_out.json()["errorType"] == "Sandbox.Timedout"
    assert after.json()["calls"] == 1
    return timed_out


async def invoke_with_layer(engine: Engine, function: str, layer: str, archive: bytes,
                            runtimes: tuple[str, ...] = (), payload: bytes = b"{}") -> InvokeResult:
    """Publish ``archive`` as a version of ``layer`` (for ``runtimes``), give ``function`` that layer and call
    it with ``payload``."""
    version = await engine.publish_layer_version(layer, archive, compatible_runtimes=runtimes)
    await engine.update_function_configuration(function, layers=[version.arn])
    return await engine.invoke(function, payload)
