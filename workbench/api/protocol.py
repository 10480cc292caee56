"""AWS-shaped answers to requests aiohttp cannot even parse (an over-long URL or header, a malformed method, a
missing Host): aiohttp answers those itself, before any middleware, with plain text. SDKs read errors from
`X-Amzn-ErrorType` and a JSON body, so the API answers them as Lambda errors too.

aiohttp has no setting for this; its connection handler's `handle_error` is the one place these answers are
made, so the runner below makes its connections with a handler that overrides it.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMethod, LineTooLong
from aiohttp.web_protocol import RequestHandler

from workbench.api.errors import AccessDeniedError, UnknownOperationError, error_response
from workbench.engine import InvalidRequestContentError, LambdaError, ServiceError

log = logging.getLogger(__name__)


def _error_for(status: int, exc: BaseException | None, message: str | None) -> LambdaError:
    detail = getattr(exc, "message", None) or message or str(exc or "")
    detail = " ".join(str(detail).split())[:300]
    if isinstance(exc, BadHttpMethod):
        return UnknownOperationError(f"No Lambda operation is this method ({detail})")
    if "Host" in detail and "header" in detail:
        return AccessDeniedError(f"The request has no Host header; the workbench API answers requests for its "
                                 f"loopback address only ({detail})")
    if isinstance(exc, LineTooLong):
        return InvalidRequestContentError(f"The request line or a header is too long: {detail}")
    if status < 500:
        return InvalidRequestContentError(f"The request could not be read as HTTP: {detail}")
    return ServiceError(f"The workbench failed to handle this request: {detail}")


class _AwsErrorsHandler(RequestHandler):
    def handle_error(self, request: Any, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        if request.writer.output_size > 0:  # an answer is on its way: aiohttp closes the connection
            return super().handle_error(request, status, exc, message)
        log.info("unreadable request from %s: %s", request.remote, message or exc)
        response = error_response(_error_for(status, exc, message))
        response.force_close()
        return response


class _AwsErrorsServer(web.Server):
    def __call__(self) -> RequestHandler:
        return _AwsErrorsHandler(self, loop=self._loop, **self._kwargs)


class AwsErrorsRunner(web.AppRunner):
    """An `AppRunner` whose connections answer unparseable requests as Lambda errors."""

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        server.__class__ = _AwsErrorsServer  # the same server, making connections with the handler above
        return server
