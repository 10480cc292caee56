"""The Lambda-compatible HTTP API: an aiohttp application over the engine façade, served on loopback only.

Who may call it is decided by `guard.py` (loopback Host, no browsers, SigV4-signed). Whatever goes wrong in a
request comes back as a Lambda error (see `errors.py`), never as a traceback.

It is the workbench's one endpoint: a request signed for another service (SQS, DynamoDB, S3, ...) is forwarded
unchanged to the local services (`workbench.services`), after the same guard, so `AWS_ENDPOINT_URL` can name
this server for every SDK call.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from workbench.api import concurrency, event_invoke, event_sources, functions, invoke, layers, versions
from workbench.api.context import ENGINE
from workbench.api.errors import UnknownOperationError, error_response
from workbench.api.guard import GUARD, Guard, guard_request
from workbench.api.protocol import AwsErrorsRunner
from workbench.engine import Engine, LambdaError, RequestTooLargeError, ServiceError, initiated_by
from workbench.model import limits
from workbench.services.routing import Destination

log = logging.getLogger(__name__)

#: The API never listens beyond this machine.
LOOPBACK = "127.0.0.1"
#: The largest request Lambda accepts: a 50 MB package, base64-encoded, in a JSON body.
MAX_REQUEST_BYTES = 69_905_067

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _operation(request: web.Request) -> str:
    """The name of the operation a request was routed to (a trailing-slash variant has its original's)."""
    route = request.match_info.route
    names = (other.name for other in request.app.router.routes()
             if other.handler is route.handler and other.method == route.method and other.name)
    return route.name or next(names, "this")


def _accept_trailing_slashes(router: web.UrlDispatcher) -> None:
    """Every route also answers with a "/" at the end, as AWS does: older SDKs and CLIs send
    `GET /2015-03-31/functions/` and `GET /2016-08-19/account-settings/`."""
    paths = {route.resource.canonical for route in router.routes() if route.resource is not None}
    for route in list(router.routes()):
        if route.resource is None or route.method == "HEAD":
            continue
        slashed = route.resource.canonical + "/"
        if slashed not in paths:
            router.add_route(route.method, slashed, route.handler, expect_handler=None)


def _too_large(request: web.Request) -> RequestTooLargeError:
    operation = _operation(request)
    if operation == "Invoke":
        limit, operation = limits.SYNC_PAYLOAD_MAX, "InvokeFunction"
    else:
        limit = MAX_REQUEST_BYTES
    return RequestTooLargeError(f"Request must be smaller than {limit} bytes for the {operation} operation")


@web.middleware
async def serve_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The API's one middleware (one, because each layer costs the hot path a coroutine and a call): the
    guard's checks, then Lambda's routes or the local services (by the request's SigV4 scope), and Lambda's
    error shapes for whatever fails on the way."""
    try:
        with initiated_by("api"):
            await guard_request(request)
            forwarder = request.app[ENGINE].services.forwarder
            route = forwarder.route(request)
            if route.destination is Destination.LAMBDA:
                response = await handler(request)
            else:
                response = await forwarder.handle(request, route)
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
        log.exception("%s %s failed", request.method, request.path[:300])
        return error_response(ServiceError(f"The workbench failed to handle this request: {type(exc).__name__}: "
                                           f"{exc}"))


def build_app(engine: Engine, credentials: Mapping[str, str] | None = None) -> web.Application:
    """The API over ``engine``; with ``credentials`` ({access key: secret}) signatures are verified. The guard
    runs before forwarding, so the local services are as closed to web pages as Lambda's own routes."""
    app = web.Application(middlewares=[serve_requests],
                          client_max_size=MAX_REQUEST_BYTES)
    app[ENGINE] = engine
    app[GUARD] = Guard(credentials)
    for module in (invoke, functions, versions, layers, concurrency, event_invoke, event_sources):
        module.add_routes(app.router)
    _accept_trailing_slashes(app.router)
    return app


class ApiServer:
    """Serves ``engine`` at http://127.0.0.1:<port>; port 0 picks a free one (read `port` after `start`).
    With ``credentials`` ({access key: secret}) request signatures are verified, otherwise only required."""

    def __init__(self, engine: Engine, port: int = 0, credentials: Mapping[str, str] | None = None,
                 grace_s: float = 60.0) -> None:
        self.engine = engine
        self.port = port
        self.credentials = credentials
        self.grace_s = grace_s
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    async def start(self) -> int:
        runner = AwsErrorsRunner(build_app(self.engine, self.credentials), access_log=None, handle_signals=False,
                                 shutdown_timeout=self.grace_s)
        await runner.setup()
        try:
            site = web.TCPSite(runner, LOOPBACK, self.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        self.engine.services.served_endpoint = self.url  # environments started from now on call AWS here
        return self.port

    async def close(self) -> None:
        """Stop answering; requests in flight get ``grace_s`` seconds to finish before they are cancelled."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            if self.engine.services.served_endpoint == self.url:
                self.engine.services.served_endpoint = None
            await runner.cleanup()
