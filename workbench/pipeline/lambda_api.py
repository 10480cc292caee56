"""A minimal client of the Lambda REST API, signing every request (SigV4) as the API's guard requires.

The Deploy stage talks to a running workbench through it exactly as any SDK would; the control-plane
commands (`workbench deploy`, `alias`, ...) use it too (`commands.control.ControlPlane`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
from yarl import URL

from workbench.api import sigv4
from workbench.api.guard import DEFAULT_CREDENTIALS


class LambdaApiError(Exception):
    """An error the API answered with: AWS's error code and message."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def signing_pair(credentials: Mapping[str, str] | None) -> tuple[str, str]:
    """The (access key, secret) a client signs with: the first configured pair, or the placeholder that an
    API without configured credentials accepts (it then only requires a well-formed signature)."""
    return next(iter(credentials.items())) if credentials else DEFAULT_CREDENTIALS


class LambdaClient:
    def __init__(self, session: aiohttp.ClientSession, url: str,
                 credentials: Mapping[str, str] | None = None) -> None:
        self._session = session
        self.url = url
        self._access_key, self._secret = signing_pair(credentials)

    async def call(self, method: str, path: str, document: dict[str, Any] | None = None,
                   query: dict[str, str] | None = None) -> dict[str, Any]:
        pairs = sorted((query or {}).items())
        raw_query = "&".join(f"{quote(key, safe='-_.~')}={quote(value, safe='-_.~')}" for key, value in pairs)
        body = json.dumps(document).encode() if document is not None else b""
        headers = sigv4.sign(access_key=self._access_key, secret=self._secret, method=method,
                             host=urlsplit(self.url).netloc, raw_path=path, query=pairs, body=body)
        if document is not None:
            headers["Content-Type"] = "application/json"
        # encoded=True: the path and query go out exactly as they were signed.
        url = URL(self.url + path + (f"?{raw_query}" if raw_query else ""), encoded=True)
        async with self._session.request(method, url, data=body or None, headers=headers) as response:
            answer = await response.read()
            content: dict[str, Any] = json.loads(answer) if answer else {}
            if response.status >= 400:
                raise LambdaApiError(response.headers.get("X-Amzn-ErrorType", str(response.status)),
                                     str(content.get("message") or content.get("Message") or answer.decode()),
                                     response.status)
            return content

    async def download(self, location: str) -> bytes:
        """A `Code.Location`: a presigned URL, fetched as it is (no Authorization header, as on AWS)."""
        async with self._session.get(location) as response:
            if response.status != 200:
                raise LambdaApiError("DownloadFailed", f"could not download {location}: HTTP {response.status}",
                                     response.status)
            return await response.read()


def function_path(name: str, suffix: str = "") -> str:
    return f"/2015-03-31/functions/{quote(name, safe='')}{suffix}"
