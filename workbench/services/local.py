"""The local AWS services: moto's server in a child process on 127.0.0.1, started on demand.

A child process, not a thread: moto's request handling never competes with the invoke path for the
interpreter lock. It binds a free loopback port; if it dies, it is started again on the same port (so queue
URLs handed out before stay right) and ``on_restart`` recreates what the template declared — moto keeps
everything in memory, so a restart loses messages, items and objects.

With an external endpoint (LocalStack, ElasticMQ, a real account) no moto starts and everything goes there.

Environments' SDKs reach the services through `public_endpoint`: `workbench serve`'s one endpoint when it
runs, otherwise a small loopback gateway of the engine's own that forwards to moto (and starts it on the
first request), so a function that never calls AWS never waits for moto.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from workbench.services.forwarding import Forwarder

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
#: Credentials every local client uses; moto accepts any.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "test"}
_READY_TIMEOUT_S = 60.0


class ServicesError(Exception):
    """The local services could not be started (moto missing, port trouble, crashed at start)."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class LocalServices:
    """moto on demand (or an external endpoint), and the URLs through which clients reach it."""

    def __init__(self, external_endpoint: str | None = None, *, log_path: Path | None = None,
                 on_restart: Callable[[], Awaitable[None]] | None = None, python: str = sys.executable) -> None:
        self.external_endpoint = external_endpoint.rstrip("/") if external_endpoint else None
        self.on_restart = on_restart
        self._log_path = log_path
        self._python = python
        self._port: int | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._ready = False
        self._closing = False
        self._restarted = asyncio.Condition()
        #: How many times moto was started again after it died.
        self.restarts = 0
        self.forwarder = Forwarder(self.ensure_started, check_services=external_endpoint is None)
        self._gateway: web.AppRunner | None = None
        self._gateway_url: str | None = None
        #: The workbench's one endpoint (`workbench serve`), when one runs: environments get it.
        self.served_endpoint: str | None = None

    # -- where clients go --------------------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        """moto's URL (or the external endpoint). Raises ServicesError before `start`."""
        if self.external_endpoint:
            return self.external_endpoint
        if self._port is None or not self._ready:
            raise ServicesError("the local services are not started")
        return f"http://{LOOPBACK}:{self._port}"

    @property
    def public_endpoint(self) -> str | None:
        """What function code should use as AWS_ENDPOINT_URL: the external endpoint, `workbench serve`'s
        endpoint, or the engine's gateway; None before `open`."""
        return self.external_endpoint or self.served_endpoint or self._gateway_url

    def client_variables(self) -> dict[str, str]:
        """What an execution environment's SDK needs: AWS_ENDPOINT_URL and credentials. With an external
        endpoint, the workbench's own credentials pass through when it has some (a real account needs them)."""
        variables = dict(DUMMY_CREDENTIALS)
        if self.external_endpoint and os.environ.get("AWS_ACCESS_KEY_ID"):
            variables = {key: os.environ[key] for key in DUMMY_CREDENTIALS if key in os.environ}
        endpoint = self.public_endpoint
        if endpoint:
            variables["AWS_ENDPOINT_URL"] = endpoint
        return variables

    @property
    def running(self) -> bool:
        return self.external_endpoint is not None or (self._ready and self._process is not None
                                                      and self._process.returncode is None)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # -- lifecycle ---------------------------------------------------------------------------------------
    async def open(self) -> None:
        """Start the loopback gateway (cheap: no moto yet). Nothing to do for an external endpoint."""
        if self.external_endpoint or self._gateway is not None:
            return
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._gateway_request)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, LOOPBACK, 0)
        await site.start()
        self._gateway = runner
        self._gateway_url = f"http://{LOOPBACK}:{runner.addresses[0][1]}"

    async def _gateway_request(self, request: web.Request) -> web.StreamResponse:
        return await self.forwarder.handle(request, self.forwarder.route(request))

    async def ensure_started(self) -> str:
        """Start moto unless it runs (a client asks for a service); returns its URL."""
        if self.external_endpoint:
            return self.external_endpoint
        if self.running:
            return self.endpoint_url
        async with self._lock:
            if not self.running:
                await self._launch()
        return self.endpoint_url

    async def start(self) -> str:
        return await self.ensure_started()

    async def _launch(self) -> None:
        self._closing = False
        self._ready = False
        for attempt in range(3):
            port = self._port if self._port is not None and attempt == 0 else _free_port()
            self._port = port
            try:
                self._process = await self._spawn(port)
            except OSError as exc:
                raise ServicesError(f"could not start moto's server ({self._python} -m moto.server): {exc}") from None
            try:
                await self.wait_ready()
            except ServicesError:
                if self._process.returncode is None or attempt == 2:
                    await self._stop_process()
                    raise
                continue  # it exited at once: most likely the port was taken meanwhile
            break
        assert self._process is not None
        self._watcher = asyncio.create_task(self._watch(self._process), name="local-services-watcher")

    async def _spawn(self, port: int) -> asyncio.subprocess.Process:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        environment.update(DUMMY_CREDENTIALS)
        output = open(self._log_path, "ab") if self._log_path else None  # noqa: SIM115, ASYNC230 - a local append
        try:
            return await asyncio.create_subprocess_exec(
                self._python, "-m", "moto.server", "-H", LOOPBACK, "-p", str(port),
                stdin=asyncio.subprocess.DEVNULL, stdout=output or asyncio.subprocess.DEVNULL,
                stderr=output or asyncio.subprocess.DEVNULL, env=environment, start_new_session=True)
        finally:
            if output is not None:
                output.close()

    async def wait_ready(self, timeout_s: float = _READY_TIMEOUT_S) -> None:
        """Wait until moto answers (its /moto-api/ page); raises ServicesError if it exits or never does."""
        if self.external_endpoint:
            return
        process, port = self._process, self._port
        if process is None or port is None:
            raise ServicesError("the local services are not started")
        url = f"http://{LOOPBACK}:{port}/moto-api/"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        delay = 0.02
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            while True:
                if process.returncode is not None:
                    raise ServicesError(f"moto's server exited at start (status {process.returncode})"
                                        + (f"; see {self._log_path}" if self._log_path else ""))
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(url) as answer:
                        if answer.status == 200:
                            self._ready = True
                            return
                if loop.time() > deadline:
                    raise ServicesError(f"moto's server did not answer within {timeout_s:.0f} s")
                # moto is a separate process: nothing here can notify us when it listens, so we poll.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), delay)
                delay = min(delay * 2, 0.25)

    async def _watch(self, process: asyncio.subprocess.Process) -> None:
        status = await process.wait()
        if self._closing or process is not self._process:
            return
        log.warning("the local AWS services (moto) exited (status %s); starting them again — messages, items "
                    "and objects they held are lost, the template's resources are created again", status)
        try:
            async with self._lock:
                if process is self._process:
                    await self._launch()
            if self.on_restart is not None:
                await self.on_restart()
        except Exception:
            log.exception("the local AWS services could not be started again")
            return
        async with self._restarted:
            self.restarts += 1
            self._restarted.notify_all()

    async def wait_restarted(self, count: int = 1) -> None:
        """Wait until moto has been started again ``count`` times in all (and its resources recreated)."""
        async with self._restarted:
            await self._restarted.wait_for(lambda: self.restarts >= count)

    async def _stop_process(self) -> None:
        process, self._process = self._process, None
        self._ready = False
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 9)
            await process.wait()

    async def close(self) -> None:
        """Stop moto and the gateway. Idempotent."""
        self._closing = True
        watcher, self._watcher = self._watcher, None
        await self._stop_process()
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        if self._gateway is not None:
            gateway, self._gateway = self._gateway, None
            self._gateway_url = None
            await gateway.cleanup()
        await self.forwarder.close()

    def client(self, service: str, region: str) -> Any:
        """A boto3 client for ``service`` against the services (blocking calls: use it in a thread)."""
        return client_for(service, self.endpoint_url, region)


def client_for(service: str, endpoint: str, region: str) -> Any:
    """A boto3 client of ``service`` at ``endpoint``. The dummy credentials, unless the environment names real
    ones (an external endpoint may be a real account)."""
    import boto3
    from botocore.config import Config

    credentials = {} if os.environ.get("AWS_ACCESS_KEY_ID") else {
        "aws_access_key_id": DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]}
    return boto3.client(service, endpoint_url=endpoint, region_name=region,
                        config=Config(retries={"total_max_attempts": 2}), **credentials)
