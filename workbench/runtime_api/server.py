"""The Runtime API HTTP server: one aiohttp application, one loopback listening socket per environment.

`AWS_LAMBDA_RUNTIME_API` is only `host:port`, so environments are told apart by the port they connect
to; the handlers find the endpoint from the socket the request arrived on.
"""

from __future__ import annotations

import json
import socket
from typing import Final

from aiohttp import web

from workbench.model.limits import RUNTIME_RESPONSE_MAX
from workbench.runtime_api.endpoint import (
    Errored,
    InitFailed,
    Responded,
    ResponseTooLarge,
    RuntimeEndpoint,
    RuntimeInvocation,
    normalise_error_type,
)

PREFIX: Final = "/2018-06-01"
_ACCEPTED_BODY = b'{"status":"OK"}'
_ERROR_CAUSE_TYPE = "application/vnd.aws.lambda.error.cause+json"
_LOOPBACK = "127.0.0.1"


def _error(status: int, error_type: str, message: str) -> web.Response:
    body = json.dumps({"errorMessage": message, "errorType": error_type}).encode()
    return web.Response(status=status, body=body, content_type="application/json")


def _accepted() -> web.Response:
    return web.Response(status=202, body=_ACCEPTED_BODY, content_type="application/json")


class RuntimeApiServer:
    def __init__(self, host: str = _LOOPBACK) -> None:
        self.host = host
        self._endpoints: dict[int, RuntimeEndpoint] = {}
        self._sites: dict[int, web.SockSite] = {}
        app = web.Application(client_max_size=RUNTIME_RESPONSE_MAX)
        app.router.add_get(PREFIX + "/runtime/invocation/next", self._next)
        app.router.add_post(PREFIX + "/runtime/invocation/{request_id}/response", self._response)
        app.router.add_post(PREFIX + "/runtime/invocation/{request_id}/error", self._invocation_error)
        app.router.add_post(PREFIX + "/runtime/init/error", self._init_error)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)

    async def start(self) -> None:
        await self._runner.setup()

    async def close(self) -> None:
        for endpoint in list(self._endpoints.values()):
            endpoint.abandon()
        self._endpoints.clear()
        self._sites.clear()
        await self._runner.cleanup()

    async def open(self, endpoint: RuntimeEndpoint) -> str:
        """Start listening for ``endpoint`` on a fresh loopback port; returns `host:port`."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()
        endpoint.port = port
        self._endpoints[port] = endpoint
        self._sites[port] = site
        return f"{self.host}:{port}"

    async def release(self, endpoint: RuntimeEndpoint) -> None:
        endpoint.abandon()
        self._endpoints.pop(endpoint.port, None)
        site = self._sites.pop(endpoint.port, None)
        if site is not None:
            await site.stop()

    def _endpoint(self, request: web.Request) -> RuntimeEndpoint | None:
        transport = request.transport
        if transport is None:
            return None
        return self._endpoints.get(transport.get_extra_info("sockname")[1])

    # -- handlers ---------------------------------------------------------------------------------------
    async def _next(self, request: web.Request) -> web.StreamResponse:
        endpoint = self._endpoint(request)
        if endpoint is None:
            return _error(500, "Runtime.Unknown", "environment is shutting down")
        answer = endpoint.next_requested()
        if isinstance(answer, str):
            return _error(403, "InvalidStateTransition", answer)
        invocation: RuntimeInvocation = answer if isinstance(answer, RuntimeInvocation) else await answer
        return web.Response(body=invocation.payload, headers=invocation.headers)

    async def _read_result(self, request: web.Request, endpoint: RuntimeEndpoint,
                           request_id: str) -> bytes | web.Response:
        if not endpoint.is_current(request_id):
            return _error(400, "InvalidRequestID", "Invalid request ID")
        length = request.content_length
        try:
            if length is not None and length > RUNTIME_RESPONSE_MAX:
                raise web.HTTPRequestEntityTooLarge(max_size=RUNTIME_RESPONSE_MAX, actual_size=length)
            return await request.read()
        except web.HTTPRequestEntityTooLarge:
            endpoint.complete(request_id, ResponseTooLarge(length or RUNTIME_RESPONSE_MAX + 1))
            return _error(413, "RequestEntityTooLarge",
                          f"Exceeded maximum allowed payload size ({RUNTIME_RESPONSE_MAX} bytes).")

    async def _response(self, request: web.Request) -> web.StreamResponse:
        endpoint = self._endpoint(request)
        request_id = request.match_info["request_id"]
        if endpoint is None:
            return _error(400, "InvalidRequestID", "Invalid request ID")
        mode = request.headers.get("Lambda-Runtime-Function-Response-Mode")
        if mode is not None and mode.lower() != "streaming":
            return _error(400, "InvalidFunctionResponseMode", "Invalid function response mode")
        body = await self._read_result(request, endpoint, request_id)
        if isinstance(body, web.Response):
            return body
        if not endpoint.complete(request_id, Responded(body)):
            return _error(400, "InvalidRequestID", "Invalid request ID")
        return _accepted()

    async def _invocation_error(self, request: web.Request) -> web.StreamResponse:
        endpoint = self._endpoint(request)
        request_id = request.match_info["request_id"]
        if endpoint is None:
            return _error(400, "InvalidRequestID", "Invalid request ID")
        body = await self._read_result(request, endpoint, request_id)
        if isinstance(body, web.Response):
            return body
        error_type = normalise_error_type(request.headers.get("Lambda-Runtime-Function-Error-Type"))
        if not endpoint.complete(request_id, Errored(_strip_error_cause(request, body), error_type)):
            return _error(400, "InvalidRequestID", "Invalid request ID")
        return _accepted()

    async def _init_error(self, request: web.Request) -> web.StreamResponse:
        endpoint = self._endpoint(request)
        if endpoint is None:
            return _error(500, "Runtime.Unknown", "environment is shutting down")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            body = b""
        error_type = normalise_error_type(request.headers.get("Lambda-Runtime-Function-Error-Type"))
        if not endpoint.init_error(InitFailed(_strip_error_cause(request, body), error_type)):
            return _error(403, "InvalidStateTransition",
                          f"State transition from {endpoint.state.value} to InitError failed for runtime. "
                          "Error: State transition is not allowed")
        try:
            json.loads(body)
            content_type = "application/json"
        except ValueError:
            content_type = "application/octet-stream"
        return web.Response(status=202, body=_ACCEPTED_BODY, content_type=content_type)


def _strip_error_cause(request: web.Request, body: bytes) -> bytes:
    """With the error-cause content type, the caller sees only errorMessage/errorType/stackTrace."""
    if request.content_type != _ERROR_CAUSE_TYPE:
        return body
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict):
        return body
    kept = {key: document[key] for key in ("errorMessage", "errorType", "stackTrace") if key in document}
    return json.dumps(kept).encode()
