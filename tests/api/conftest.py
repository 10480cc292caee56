"""A real API server (engine + aiohttp on an ephemeral loopback port) in a background thread, and real boto3
clients talking to it over HTTP."""

from __future__ import annotations

import asyncio
import io
import stat
import threading
import zipfile
from collections.abc import Coroutine, Iterator, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import boto3
import pytest
from botocore.config import Config

from workbench.api import sigv4
from workbench.api.app import ApiServer
from workbench.engine.core.settings import EngineSettings
from workbench.engine.facade import Engine
from workbench.model.project import Project

T = TypeVar("T")

PYTHON_ECHO = """
import json
def handler(event, context):
    print("echo", json.dumps(event))
    if isinstance(event, dict) and event.get("fail"):
        raise ValueError("failed on purpose")
    return {"event": event, "version": context.function_version, "arn": context.invoked_function_arn,
            "client_context": getattr(context.client_context, "custom", None) if context.client_context else None}
"""


def make_zip(files: Mapping[str, str | bytes], links: Mapping[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = (stat.S_IFREG | (0o755 if name.endswith("bootstrap") else 0o644)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


ECHO_ZIP = make_zip({"app.py": PYTHON_ECHO})
ROLE = "arn:aws:iam::123456789012:role/lambda-role"


class ServerThread:
    """Runs an engine and its API server on an event loop of their own, as `workbench serve` does."""

    def __init__(self, state_dir: Path, project: Project | None = None,
                 credentials: Mapping[str, str] | None = None, **settings: Any) -> None:
        self.state_dir = state_dir
        self.project = project
        self.credentials = credentials
        self.settings = EngineSettings(**settings)
        self.url = ""
        self.engine: Engine | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            async with Engine(self.project, settings=self.settings, state_dir=self.state_dir) as engine:
                server = ApiServer(engine, credentials=self.credentials)
                await server.start()
                self.engine, self.url = engine, server.url
                self._ready.set()
                await self._stop.wait()
                await server.close()
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
            raise

    def start(self) -> ServerThread:
        self._thread.start()
        self._ready.wait(60)
        if self._failure is not None:
            raise self._failure
        return self

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's loop (to look at or change the engine directly)."""
        assert self._loop is not None
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(60)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)


def signed_headers(server: ServerThread, method: str, path: str, body: bytes | str | None = None,
                   access_key: str = "x", secret: str = "x") -> dict[str, str]:
    """The headers that sign a raw request to ``server`` (SigV4, as SDKs sign), with a JSON content type."""
    raw_path, _, raw_query = path.partition("?")
    data = body.encode() if isinstance(body, str) else body or b""
    return {"Content-Type": "application/json", **sigv4.sign(
        access_key=access_key, secret=secret, method=method, host=urlsplit(server.url).netloc, raw_path=raw_path,
        query=parse_qsl(raw_query, keep_blank_values=True), body=data)}


def lambda_client(url: str, access_key: str = "x", secret: str = "x", **config: Any) -> Any:
    options: dict[str, Any] = {"retries": {"total_max_attempts": 1}, "read_timeout": 60, **config}
    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id=access_key,
                        aws_secret_access_key=secret, config=Config(**options))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerThread]:
    running = ServerThread(tmp_path / ".workbench").start()
    yield running
    running.stop()


@pytest.fixture
def client(server: ServerThread) -> Iterator[Any]:
    made = lambda_client(server.url)
    yield made
    made.close()  # its pooled keep-alive connections, before the server goes


def create_echo(client: Any, name: str = "echo", **extra: Any) -> dict[str, Any]:
    response: dict[str, Any] = client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE,
                                                      Handler="app.handler", Code={"ZipFile": ECHO_ZIP}, **extra)
    return response


def invoke(client: Any, **arguments: Any) -> dict[str, Any]:
    """client.invoke with the Payload read (bytes), so the connection goes back to the pool at once."""
    response: dict[str, Any] = client.invoke(**arguments)
    response["Payload"] = response["Payload"].read()
    return response
