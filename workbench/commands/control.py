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

import aiohttp

from workbench.api.app import ApiServer
from workbench.api.guard import CredentialsError, configured_credentials
from workbench.commands.common import CommandError, open_project
from workbench.commands.serve import served_url
from workbench.engine import Engine
from workbench.pipeline.lambda_api import LambdaApiError, LambdaClient


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


class ControlPlane(LambdaClient):
    """The Lambda API client, signing with the first of WORKBENCH_API_CREDENTIALS (or placeholder credentials
    when none are configured), with its errors as command errors (one line, exit status 2)."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        super().__init__(session, url, api_credentials())

    async def call(self, method: str, path: str, document: dict[str, Any] | None = None,
                   query: dict[str, str] | None = None) -> dict[str, Any]:
        try:
            return await super().call(method, path, document, query)
        except LambdaApiError as exc:
            raise ApiError(exc.code, exc.message) from None

    async def download(self, location: str) -> bytes:
        try:
            return await super().download(location)
        except LambdaApiError as exc:
            raise CommandError(exc.message) from None


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
