"""A minimal client of the Lambda REST API (unsigned: the workbench does not check signatures).

The Deploy stage talks to a running workbench through it exactly as any SDK would; the control-plane
commands (`workbench deploy`, `alias`, ...) use it too.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import aiohttp


class LambdaApiError(Exception):
    """An error the API answered with: AWS's error code and message."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.status = status


class LambdaClient:
    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session = session
        self.url = url

    async def call(self, method: str, path: str, document: dict[str, Any] | None = None,
                   query: dict[str, str] | None = None) -> dict[str, Any]:
        async with self._session.request(method, self.url + path, json=document, params=query) as response:
            body = await response.read()
            content: dict[str, Any] = json.loads(body) if body else {}
            if response.status >= 400:
                raise LambdaApiError(response.headers.get("X-Amzn-ErrorType", str(response.status)),
                                     str(content.get("message") or content.get("Message") or body.decode()),
                                     response.status)
            return content

    async def download(self, location: str) -> bytes:
        async with self._session.get(location) as response:
            if response.status != 200:
                raise LambdaApiError("DownloadFailed", f"could not download {location}", response.status)
            return await response.read()


def function_path(name: str, suffix: str = "") -> str:
    return f"/2015-03-31/functions/{quote(name, safe='')}{suffix}"
