"""The Runtime API server: one loopback listening socket per environment (spec §1).

`AWS_LAMBDA_RUNTIME_API` is only `host:port`, so environments are told apart by the port they connect to;
each port's protocol is bound to its environment's endpoint, so a request needs no lookup.
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Final

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
from workbench.runtime_api.protocol import Pending, Request, Response, RuntimeHttpProtocol

PREFIX: Final = "/2018-06-01"
_NEXT: Final = PREFIX + "/runtime/invocation/next"
_INVOCATION: Final = PREFIX + "/runtime/invocation/"
_INIT_ERROR: Final = PREFIX + "/runtime/init/error"
_ACCEPTED: Final = Response(202, b'{"status":"OK"}')
_ERROR_CAUSE_TYPE: Final = "application/vnd.aws.lambda.error.cause+json"
_LOOPBACK: Final = "127.0.0.1"


def _error(status: int, error_type: str, message: str) -> Response:
    return Response(status, json.dumps({"errorMessage": message, "errorType": error_type}).encode())


_INVALID_REQUEST_ID: Final = _error(400, "InvalidRequestID", "Invalid request ID")
_NOT_ALLOWED: Final = _error(405, "MethodNotAllowed", "method not allowed")


class RuntimeApiServer:
    def __init__(self, host: str = _LOOPBACK) -> None:
        self.host = host
        self._listeners: dict[int, tuple[RuntimeEndpoint, asyncio.Server, set[RuntimeHttpProtocol]]] = {}

    async def start(self) -> None:
        """Nothing to do until the first environment opens its endpoint."""

    async def close(self) -> None:
        for endpoint, _, _ in list(self._listeners.values()):
            await self.release(endpoint)

    async def open(self, endpoint: RuntimeEndpoint) -> str:
        """Start listening for ``endpoint`` on a fresh loopback port; returns `host:port`."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        port = sock.getsockname()[1]
        connections: set[RuntimeHttpProtocol] = set()

        def connect() -> RuntimeHttpProtocol:
            protocol = RuntimeHttpProtocol(lambda request: self._dispatch(endpoint, request), RUNTIME_RESPONSE_MAX,
                                           connections.discard)
            connections.add(protocol)
            return protocol

        listener = await asyncio.get_running_loop().create_server(connect, sock=sock, backlog=64)
        endpoint.port = port
        self._listeners[port] = (endpoint, listener, connections)
        return f"{self.host}:{port}"

    async def release(self, endpoint: RuntimeEndpoint) -> None:
        endpoint.abandon()
        entry = self._listeners.pop(endpoint.port, None)
        if entry is not None:
            _, listener, connections = entry
            listener.close()
            for protocol in list(connections):
                protocol.close()

    def _dispatch(self, endpoint: RuntimeEndpoint, request: Request) -> Response | Pending:
        path, method = request.path, request.method
        if path == _NEXT:
            return self._next(endpoint) if method == "GET" else _NOT_ALLOWED
        if path.startswith(_INVOCATION):
            request_id, _, action = path[len(_INVOCATION):].partition("/")
            if action in ("response", "error"):
                if method != "POST":
                    return _NOT_ALLOWED
                if action == "response":
                    return self._response(endpoint, request, request_id)
                return self._invocation_error(endpoint, request, request_id)
        elif path == _INIT_ERROR:
            return self._init_error(endpoint, request) if method == "POST" else _NOT_ALLOWED
        return _error(404, "NotFound", f"no such route: {method} {path}")

    # -- handlers ---------------------------------------------------------------------------------------
    @staticmethod
    def _event(invocation: RuntimeInvocation) -> Response:
        return Response(200, invocation.payload, invocation.headers)

    def _next(self, endpoint: RuntimeEndpoint) -> Response | Pending:
        pending = Pending()
        event = self._event

        def park(invocation: RuntimeInvocation | None) -> None:
            pending.resolve(None if invocation is None else event(invocation))

        answer = endpoint.next_requested(park)
        if answer is None:
            return pending
        if isinstance(answer, str):
            return _error(403, "InvalidStateTransition", answer)
        return event(answer)

    @staticmethod
    def _result_body(endpoint: RuntimeEndpoint, request: Request, request_id: str) -> bytes | Response:
        if not endpoint.is_current(request_id):
            return _INVALID_REQUEST_ID
        if request.oversize:
            size = int(request.headers.get("content-length") or RUNTIME_RESPONSE_MAX + 1)
            endpoint.complete(request_id, ResponseTooLarge(size))
            return _error(413, "RequestEntityTooLarge",
                          f"Exceeded maximum allowed payload size ({RUNTIME_RESPONSE_MAX} bytes).")
        return request.body

    def _response(self, endpoint: RuntimeEndpoint, request: Request, request_id: str) -> Response:
        mode = request.headers.get("lambda-runtime-function-response-mode")
        if mode is not None and mode.lower() != "streaming":
            return _error(400, "InvalidFunctionResponseMode", "Invalid function response mode")
        body = self._result_body(endpoint, request, request_id)
        if isinstance(body, Response):
            return body
        return _ACCEPTED if endpoint.complete(request_id, Responded(body)) else _INVALID_REQUEST_ID

    def _invocation_error(self, endpoint: RuntimeEndpoint, request: Request, request_id: str) -> Response:
        body = self._result_body(endpoint, request, request_id)
        if isinstance(body, Response):
            return body
        error_type = normalise_error_type(request.headers.get("lambda-runtime-function-error-type"))
        outcome = Errored(_strip_error_cause(request, body), error_type)
        return _ACCEPTED if endpoint.complete(request_id, outcome) else _INVALID_REQUEST_ID

    @staticmethod
    def _init_error(endpoint: RuntimeEndpoint, request: Request) -> Response:
        error_type = normalise_error_type(request.headers.get("lambda-runtime-function-error-type"))
        if not endpoint.init_error(InitFailed(_strip_error_cause(request, request.body), error_type)):
            return _error(403, "InvalidStateTransition",
                          f"State transition from {endpoint.state.value} to InitError failed for runtime. "
                          "Error: State transition is not allowed")
        try:
            json.loads(request.body)
            content_type = "application/json"
        except ValueError:
            content_type = "application/octet-stream"
        return Response(202, _ACCEPTED.body, content_type=content_type)


def _strip_error_cause(request: Request, body: bytes) -> bytes:
    """With the error-cause content type, the caller sees only errorMessage/errorType/stackTrace."""
    if request.headers.get("content-type", "").split(";")[0].strip() != _ERROR_CAUSE_TYPE:
        return body
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict):
        return body
    kept = {key: document[key] for key in ("errorMessage", "errorType", "stackTrace") if key in document}
    return json.dumps(kept).encode()
