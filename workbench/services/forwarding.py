"""The forwarding hop of the one endpoint: a request for another service goes to moto (or the external
endpoint) unchanged — method, raw path and query, headers, body — and the answer comes back unchanged.

One `ClientSession` with keep-alive connections serves every request, so the hop costs a loopback round trip
and no connection set-up. Bodies pass through as bytes, never decoded (`auto_decompress=False`).
"""

from __future__ import annotations

import asyncio
import functools
import io
import re
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web
from yarl import URL

from workbench.services import errors
from workbench.services.routing import Destination, Route, classify

#: Hop-by-hop headers (RFC 9110 §7.6.1) and the ones aiohttp recomputes for the body it sends.
#: From this size on, aiohttp wants a request body as a file-like object.
_LARGE_BODY = 1 << 20
_HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding",
    "upgrade", "expect", "content-length",
})


@functools.cache
def _moto_patterns() -> tuple[re.Pattern[str], ...]:
    from moto.backend_index import backend_url_patterns

    return tuple(pattern for _, pattern in backend_url_patterns)


async def moto_serves(service: str, region: str) -> bool:
    """Whether moto answers ``service`` (a SigV4 signing name): the host a client would call must match one
    of moto's service URL patterns, which is how moto's server itself picks a backend. (The first call
    imports moto's index, a fifth of a second: in a thread.)"""
    patterns = await asyncio.to_thread(_moto_patterns) if _moto_patterns.cache_info().currsize == 0 \
        else _moto_patterns()
    host = f"https://{service}.{region}.amazonaws.com"
    return any(pattern.match(host) for pattern in patterns)


class Forwarder:
    """Forwards requests to the base URL that ``target`` returns (awaited: it may start moto first)."""

    def __init__(self, target: Callable[[], Awaitable[str]], *, check_services: bool = True) -> None:
        self._target = target
        self._check_services = check_services
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=64, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(
                connector=connector, auto_decompress=False, timeout=aiohttp.ClientTimeout(total=None, connect=10),
                skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def route(self, request: web.BaseRequest) -> Route:
        return classify(request.method, request.path, request.headers, request.query)

    async def handle(self, request: web.BaseRequest, route: Route) -> web.StreamResponse:
        """Answer a request whose route is not Lambda's."""
        if route.destination is Destination.UNSIGNED:
            return errors.missing_authentication(request)
        service, region = route.service or "s3", route.region or "us-east-1"
        if self._check_services and not await moto_serves(service, region):
            return errors.unknown_service(request, service)
        try:
            base = await self._target()
        except Exception as exc:  # moto would not start: say why, in the client's protocol
            return errors.services_unavailable(request, str(exc))
        return await self.forward(request, base)

    async def forward(self, request: web.BaseRequest, base: str) -> web.StreamResponse:
        # The raw body, not request.read(): the Lambda API's request size limit is not the services' (S3).
        body = await request.content.read()
        headers = [(name, value) for name, value in request.headers.items() if name.lower() not in _HOP_BY_HOP]
        url = URL(base.rstrip("/") + request.raw_path, encoded=True)
        # aiohttp sends a body of 1 MiB or more from a file-like object (raw bytes that big warn, and the warning
        # failed the request): a 6 MB batch of SQS messages, a large S3 object.
        payload: bytes | io.BytesIO = body if len(body) < _LARGE_BODY else io.BytesIO(body)
        try:
            async with self._client().request(request.method, url, headers=headers, data=payload,
                                              allow_redirects=False) as answer:
                content = await answer.read()
                response = web.Response(status=answer.status, reason=answer.reason)
                for name, value in answer.headers.items():
                    if name.lower() not in _HOP_BY_HOP:
                        response.headers.add(name, value)
        except aiohttp.ClientError as exc:
            return errors.services_unavailable(request, f"{type(exc).__name__}: {exc}")
        if request.method == "HEAD":
            # No body, but the resource's Content-Length (S3 HeadObject) must reach the client.
            length = answer.headers.get("Content-Length")
            if length is not None:
                response.headers["Content-Length"] = length
        else:
            response.body = content
        return response
