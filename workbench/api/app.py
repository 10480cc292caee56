"""The Lambda-compatible HTTP API: an aiohttp application over the engine façade, served on loopback only.

Requests may be signed (SigV4) with any credentials: there is no account here, so signatures are not checked.
Whatever goes wrong in a request comes back as a Lambda error (see `errors.py`), never as a traceback.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from workbench.api import concurrency, event_invoke, functions, invoke, layers, versions
from workbench.api.context import ENGINE
from workbench.api.errors import UnknownOperationError, error_response
from workbench.engine import Engine, LambdaError, RequestTooLargeError, ServiceError, initiated_by
from workbench.model import limits

log = logging.getLogger(__name__)

#: The API never listens beyond this machine.
LOOPBACK = "127.0.0.1"
#: The largest request Lambda accepts: a 50 MB package, base64-encoded, in a JSON body.
MAX_REQUEST_BYTES = 69_905_067

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _too_large(request: web.Request) -> RequestTooLargeError:
    operation = request.match_info.route.name or "this"
    if operation == "Invoke":
        limit, operation = limits.SYNC_PAYLOAD_MAX, "InvokeFunction"
    else:
        limit = MAX_REQUEST_BYTES
    return RequestTooLargeError(f"Request must be smaller than {limit} bytes for the {operation} operation")


@web.middleware
async def lambda_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        with initiated_by("api"):
            response = await handler(request)
        if "x-amzn-RequestId" not in response.headers:  # Invoke answers with the invocation's own id
            response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
        return response
    except LambdaError as error:
        return error_response(error)
    except web.HTTPRequestEntityTooLarge:
        return error_response(_too_large(request))
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
        return error_response(UnknownOperationError(f"No Lambda operation is {request.method} {request.path}"))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(ServiceError(f"{exc.status} {exc.reason}"))
    except Exception as exc:  # the engine's own faults: logged here, reported to the client as ServiceException
        log.exception("%s %s failed", request.method, request.path)
        return error_response(ServiceError(f"The workbench failed to handle this request: {type(exc).__name__}: "
                                           f"{exc}"))


def build_app(engine: Engine) -> web.Application:
    app = web.Application(middlewares=[lambda_errors], client_max_size=MAX_REQUEST_BYTES)
    app[ENGINE] = engine
    for module in (invoke, functions, versions, layers, concurrency, event_invoke):
        module.add_routes(app.router)
    return app


class ApiServer:
    """Serves ``engine`` at http://127.0.0.1:<port>; port 0 picks a free one (read `port` after `start`)."""

    def __init__(self, engine: Engine, port: int = 0) -> None:
        self.engine = engine
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    async def start(self) -> int:
        runner = web.AppRunner(build_app(self.engine), access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, LOOPBACK, self.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        return self.port

    async def close(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
