"""Invoke (spec §10.1): RequestResponse, Event and DryRun, plus the deprecated InvokeAsync.

This is the hot path of the API: the handler does what Lambda does with a request (route it, check the
invocation type, hand it to the engine, copy the result into headers) and nothing more. The payload is
checked once, by the engine (size limits, JSON).
"""

from __future__ import annotations

import base64

from aiohttp import web

from workbench.api.context import ENGINE, json_response
from workbench.engine import RequestTooLargeError, ValidationError
from workbench.model.limits import SYNC_PAYLOAD_MAX

_INVOCATION_TYPES = ("Event", "RequestResponse", "DryRun")
_LOG_TYPES = ("None", "Tail")


def _enum_error(member: str, value: str, allowed: tuple[str, ...]) -> ValidationError:
    return ValidationError(f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
                           f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]")


async def read_payload(request: web.Request, limit: int = SYNC_PAYLOAD_MAX) -> bytes:
    """The body, refused as soon as it is known to exceed the largest payload Invoke accepts: from its
    Content-Length before reading anything, or while reading a body sent without one. So twenty 60 MB
    requests cost no more than twenty 6 MB ones (the engine checks the exact limit of each invocation type)."""
    too_large = RequestTooLargeError(f"Request must be smaller than {limit} bytes for the InvokeFunction operation")
    if request.content_length is not None:
        if request.content_length > limit:
            raise too_large
        return await request.read()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def log_result(log_tail: str, limit: int) -> str:
    """X-Amz-Log-Result: the last ``limit`` bytes (4 KB) of the invocation's log, base64."""
    return base64.b64encode(log_tail.encode()[-limit:]).decode()


async def invoke(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    name = request.match_info["function"]
    headers = request.headers
    qualifier = request.query.get("Qualifier") if request.query_string else None
    kind = headers.get("X-Amz-Invocation-Type", "RequestResponse")
    log_type = headers.get("X-Amz-Log-Type", "None")
    if log_type not in _LOG_TYPES:
        raise _enum_error("logType", log_type, _LOG_TYPES)
    payload = await read_payload(request)
    if kind == "RequestResponse":
        result = await engine.invoke(name, payload, qualifier=qualifier,
                                     client_context=headers.get("X-Amz-Client-Context"),
                                     tenant_id=headers.get("X-Amz-Tenant-Id"))
        response_headers = {"X-Amz-Executed-Version": result.executed_version, "x-amzn-RequestId": result.request_id}
        if result.function_error:
            response_headers["X-Amz-Function-Error"] = result.function_error
        if log_type == "Tail":
            response_headers["X-Amz-Log-Result"] = log_result(result.log_tail, engine.settings.log_tail_bytes)
        return web.Response(body=result.payload, headers=response_headers, content_type="application/json")
    if kind == "Event":
        request_id = await engine.invoke_async(name, payload, qualifier=qualifier)
        return web.Response(status=202, headers={"x-amzn-RequestId": request_id})
    if kind == "DryRun":
        engine.invoke_dry_run(name, payload, qualifier=qualifier)
        return web.Response(status=204)
    raise _enum_error("invocationType", kind, _INVOCATION_TYPES)


async def invoke_async(request: web.Request) -> web.Response:
    """InvokeAsync (deprecated, still used by old SDKs): an Event invocation answering {"Status": 202}."""
    engine = request.app[ENGINE]
    request_id = await engine.invoke_async(request.match_info["function"], await read_payload(request))
    response = json_response({"Status": 202}, status=202)
    response.headers["x-amzn-RequestId"] = request_id
    return response


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/2015-03-31/functions/{function}/invocations", invoke, name="Invoke")
    # the model's URI ends in "/"; botocore sends it without (the app accepts both on every route)
    router.add_post("/2014-11-13/functions/{function}/invoke-async", invoke_async, name="InvokeAsync")
