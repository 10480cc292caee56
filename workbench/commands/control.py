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
from urllib.parse import quote, urlsplit

import aiohttp
from yarl import URL

from workbench.api import sigv4
from workbench.api.app import ApiServer
from workbench.api.guard import DEFAULT_CREDENTIALS, CredentialsError, configured_credentials
from workbench.commands.common import CommandError, open_project
from workbench.commands.serve import served_url
from workbench.engine import Engine


class ApiError(CommandError):
    """An error the API answered with: printed as `Code: message`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def api_credentials() -> dict[str, str] | None:
    """The credentials of WORKBENCH_API_CREDENTIALS (a bad value is the command's error)."""
    try:
        return configured_credentials()
    except CredentialsError as exc:
        raise CommandError(f"WORKBENCH_API_CREDENTIALS: {exc}") from None


class ControlPlane:
    """A minimal Lambda API client, signing its requests (SigV4) with the first of WORKBENCH_API_CREDENTIALS,
    or with placeholder credentials when none are configured (the API then only requires a signature)."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session = session
        self.url = url
        credentials = api_credentials()
        self._access_key, self._secret = next(iter(credentials.items())) if credentials else DEFAULT_CREDENTIALS

    async def call(self, method: str, path: str, document: dict[str, Any] | None = None,
                   query: dict[str, str] | None = None) -> dict[str, Any]:
        pairs = sorted((query or {}).items())
        raw_query = "&".join(f"{quote(key, safe='-_.~')}={quote(value, safe='-_.~')}" for key, value in pairs)
        body = json.dumps(document).encode() if document is not None else b""
        headers = sigv4.sign(access_key=self._access_key, secret=self._secret, method=method,
                             host=urlsplit(self.url).netloc, raw_path=path, query=pairs, body=body)
        if document is not None:
            headers["Content-Type"] = "application/json"
        url = URL(self.url + path + (f"?{raw_query}" if raw_query else ""), encoded=True)
        async with self._session.request(method, url, data=body or None, headers=headers) as response:
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
            server = ApiServer(engine, credentials=api_credentials())
            await server.start()
            try:
                yield ControlPlane(session, server.url)
            finally:
                await server.close()


def print_json(document: dict[str, Any]) -> None:
    print(json.dumps(document, indent=2))
