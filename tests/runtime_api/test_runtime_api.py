"""The Runtime API over real HTTP: status codes, headers and error bodies of spec §1."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from workbench.runtime_api.endpoint import (
    Errored,
    InitFailed,
    Responded,
    ResponseTooLarge,
    RuntimeEndpoint,
    RuntimeInvocation,
    normalise_error_type,
)
from workbench.runtime_api.server import RuntimeApiServer

BASE = "/2018-06-01/runtime"


@pytest.fixture
async def api() -> AsyncIterator[tuple[RuntimeEndpoint, str, aiohttp.ClientSession]]:
    server = RuntimeApiServer()
    await server.start()
    endpoint = RuntimeEndpoint(time.monotonic)
    address = await server.open(endpoint)
    async with aiohttp.ClientSession(f"http://{address}") as session:
        yield endpoint, address, session
    await server.close()


def _invocation(request_id: str = "req-1", payload: bytes = b'{"k": "v"}') -> RuntimeInvocation:
    future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    return RuntimeInvocation(request_id, payload, {
        "Lambda-Runtime-Aws-Request-Id": request_id, "Lambda-Runtime-Deadline-Ms": "1700000000000",
        "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
        "Content-Type": "application/json"}, future)


async def test_next_blocks_until_an_event_then_returns_it_byte_for_byte(api) -> None:
    endpoint, _, session = api
    pending = asyncio.create_task(session.get(f"{BASE}/invocation/next"))
    await asyncio.wait_for(endpoint.init_done, 5)  # the first `next` ends init
    await asyncio.sleep(0.05)
    assert not pending.done()
    invocation = _invocation(payload=b'{"exact":  "bytes"}')
    endpoint.submit(invocation)
    response = await asyncio.wait_for(pending, 5)
    assert response.status == 200
    assert await response.read() == b'{"exact":  "bytes"}'
    assert response.headers["Lambda-Runtime-Aws-Request-Id"] == "req-1"
    assert response.headers["Lambda-Runtime-Deadline-Ms"] == "1700000000000"
    assert response.headers["Lambda-Runtime-Invoked-Function-Arn"].endswith(":function:f")
    assert response.headers["Lambda-Runtime-Trace-Id"].startswith("Root=1-")
    assert "Lambda-Runtime-Client-Context" not in response.headers
    posted = await session.post(f"{BASE}/invocation/req-1/response", data=b'{"ok": true}')
    assert posted.status == 202 and await posted.json() == {"status": "OK"}
    assert invocation.outcome.result() == Responded(b'{"ok": true}')


async def test_wrong_request_id_and_double_response_are_400(api) -> None:
    endpoint, _, session = api
    endpoint.submit(_invocation())
    await (await session.get(f"{BASE}/invocation/next")).read()
    wrong = await session.post(f"{BASE}/invocation/other/response", data=b"{}")
    assert wrong.status == 400
    assert await wrong.json() == {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
    assert (await session.post(f"{BASE}/invocation/req-1/response", data=b"{}")).status == 202
    again = await session.post(f"{BASE}/invocation/req-1/response", data=b"{}")
    assert again.status == 400
    error_after = await session.post(f"{BASE}/invocation/req-1/error", data=b"{}")
    assert error_after.status == 400


async def test_next_while_invoking_and_init_error_after_init_are_403(api) -> None:
    endpoint, _, session = api
    endpoint.submit(_invocation())
    await (await session.get(f"{BASE}/invocation/next")).read()
    twice = await session.get(f"{BASE}/invocation/next")
    assert twice.status == 403
    body = await twice.json()
    assert body["errorType"] == "InvalidStateTransition"
    assert body["errorMessage"].startswith("State transition from Invoking to Ready failed for runtime.")
    late_init_error = await session.post(f"{BASE}/init/error", data=b'{"errorMessage": "x", "errorType": "y"}')
    assert late_init_error.status == 403


async def test_init_error_during_init_is_accepted(api) -> None:
    endpoint, _, session = api
    body = json.dumps({"errorMessage": "bad init", "errorType": "Runtime.ImportModuleError", "stackTrace": []})
    response = await session.post(f"{BASE}/init/error", data=body,
                                  headers={"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"})
    assert response.status == 202
    failure = endpoint.init_done.result()
    assert failure == InitFailed(body.encode(), "Runtime.ImportModuleError")


async def test_oversize_response_is_413_and_the_invoker_gets_response_size_too_large(api) -> None:
    endpoint, _, session = api
    invocation = _invocation()
    endpoint.submit(invocation)
    await (await session.get(f"{BASE}/invocation/next")).read()
    big = b"x" * (6 * 1024 * 1024 + 101)
    response = await session.post(f"{BASE}/invocation/req-1/response", data=io.BytesIO(big))
    assert response.status == 413
    assert await response.json() == {"errorMessage": "Exceeded maximum allowed payload size (6291556 bytes).",
                                     "errorType": "RequestEntityTooLarge"}
    assert invocation.outcome.result() == ResponseTooLarge(len(big))


async def test_exactly_the_limit_is_accepted(api) -> None:
    endpoint, _, session = api
    invocation = _invocation()
    endpoint.submit(invocation)
    await (await session.get(f"{BASE}/invocation/next")).read()
    response = await session.post(f"{BASE}/invocation/req-1/response", data=io.BytesIO(b"x" * 6291556))
    assert response.status == 202


async def test_invalid_response_mode_header_is_400(api) -> None:
    endpoint, _, session = api
    endpoint.submit(_invocation())
    await (await session.get(f"{BASE}/invocation/next")).read()
    response = await session.post(f"{BASE}/invocation/req-1/response", data=b"{}",
                                  headers={"Lambda-Runtime-Function-Response-Mode": "buffered"})
    assert response.status == 400
    assert await response.json() == {"errorType": "InvalidFunctionResponseMode",
                                     "errorMessage": "Invalid function response mode"}


async def test_error_post_normalises_type_and_strips_error_cause(api) -> None:
    endpoint, _, session = api
    invocation = _invocation()
    endpoint.submit(invocation)
    await (await session.get(f"{BASE}/invocation/next")).read()
    body = {"errorMessage": "m", "errorType": "E", "stackTrace": ["a"], "errorCause": {"paths": []}}
    response = await session.post(
        f"{BASE}/invocation/req-1/error", data=json.dumps(body),
        headers={"Content-Type": "application/vnd.aws.lambda.error.cause+json",
                 "Lambda-Runtime-Function-Error-Type": "Function.MyError"})
    assert response.status == 202
    outcome = invocation.outcome.result()
    assert isinstance(outcome, Errored) and outcome.error_type == "Function.MyError"
    assert json.loads(outcome.body) == {"errorMessage": "m", "errorType": "E", "stackTrace": ["a"]}


def test_error_type_normalisation() -> None:
    assert normalise_error_type("Runtime.ImportModuleError") == "Runtime.ImportModuleError"
    assert normalise_error_type("prefix Function.Boom suffix") == "Function.Boom"
    assert normalise_error_type("Function.lowercase") == "Function.Unknown"
    assert normalise_error_type("Unhandled") == "Runtime.Unknown"
    assert normalise_error_type(None) == "Runtime.Unknown"


async def test_unknown_routes_are_404(api) -> None:
    _, _, session = api
    assert (await session.get(f"{BASE}/nothing")).status == 404


async def test_a_pipelined_result_and_next_are_answered_in_order_with_the_event(api) -> None:
    """A runtime may send its result and its next `next` in one write (the Python runtime does): the result's
    202 is held until the event is known, and both come back in order on the one connection."""
    endpoint, address, _ = api
    host, _, port = address.rpartition(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    first = _invocation("req-1")
    endpoint.submit(first)
    writer.write(f"GET {BASE}/invocation/next HTTP/1.1\r\nHost: {address}\r\n\r\n".encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 200 ") and b"Lambda-Runtime-Aws-Request-Id: req-1" in head
    await reader.readexactly(len(b'{"k": "v"}'))
    body = b'{"done": 1}'
    writer.write(f"POST {BASE}/invocation/req-1/response HTTP/1.1\r\nHost: {address}\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n".encode() + body +
                 f"GET {BASE}/invocation/next HTTP/1.1\r\nHost: {address}\r\n\r\n".encode())
    await asyncio.wait_for(first.outcome, 5)
    assert first.outcome.result() == Responded(body)
    assert first.done_at is not None             # the runtime asked for its next event: Overhead ended
    with pytest.raises(TimeoutError):   # nothing answered yet: the 202 waits for the event
        await asyncio.wait_for(reader.read(1), 0.05)
    endpoint.submit(_invocation("req-2", b"{}"))
    accepted = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert accepted.startswith(b"HTTP/1.1 202 ")
    await reader.readexactly(len(b'{"status":"OK"}'))
    event = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert event.startswith(b"HTTP/1.1 200 ") and b"Lambda-Runtime-Aws-Request-Id: req-2" in event
    writer.close()
