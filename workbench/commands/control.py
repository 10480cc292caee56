"""How the control-plane commands (deploy, package, publish-version, alias, layers) reach a project: through
the Lambda API, always.

While `workbench serve` runs on the project, its state belongs to that server, so the commands send their
requests to it. Otherwise they start the project's engine and an API server of their own on a free loopback
port for the length of the command. Either way there is one implementation of every operation (the API's),
with its validation and its errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import aiohttp

from workbench.api.app import ApiServer
from workbench.commands.common import CommandError, open_project
from workbench.commands.serve import served_url
from workbench.engine import Engine


class ApiError(CommandError):
    """An error the API answered with: printed as `Code: message`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class ControlPlane:
    """A minimal Lambda API client (unsigned: the workbench does not check signatures)."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session = session
        self.url = url

    async def call(self, method: str, path: str, document: dict[str, Any] | None = None,
                   query: dict[str, str] | None = None) -> dict[str, Any]:
        async with self._session.request(method, self.url + path, json=document, params=query) as response:
            body = await response.read()
            content: dict[str, Any] = json.loads(body) if body else {}
            if response.status >= 400:
                raise ApiError(response.headers.get("X-Amzn-ErrorType", str(response.status)),
                               str(content.get("message") or content.get("Message") or body.decode()))
            return content

    async def download(self, location: str) -> bytes:
        async with self._session.get(location) as response:
            if response.status != 200:
                raise CommandError(f"could not download {location}: HTTP {response.status}")
            return await response.read()


def function_path(name: str, suffix: str = "") -> str:
    return f"/2015-03-31/functions/{quote(name, safe='')}{suffix}"


@contextlib.asynccontextmanager
async def control_plane(args: argparse.Namespace, *, create: bool = False) -> AsyncIterator[ControlPlane]:
    project, state_dir = open_project(args, create=create)
    url = served_url(state_dir)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as session:
        if url is not None:
            print(f"workbench: sending this to the server at {url}, which owns the project", file=sys.stderr)
            yield ControlPlane(session, url)
            return
        async with Engine(project, state_dir=state_dir) as engine:
            server = ApiServer(engine)
            await server.start()
            try:
                yield ControlPlane(session, server.url)
            finally:
                await server.close()


def print_json(document: dict[str, Any]) -> None:
    print(json.dumps(document, indent=2))
