"""Older clients: every route answers with a trailing slash too (boto3 before 1.39, the JS SDK v2 and Debian's AWS
CLI v2 send `GET /2015-03-31/functions/`), and requests aiohttp cannot parse get Lambda's JSON errors, not its
plain text."""

from __future__ import annotations

import json
import re
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.api.conftest import ServerThread, create_echo
from tests.api.test_malformed_requests import request
from workbench.api.app import build_app


def test_listing_and_account_settings_with_a_trailing_slash(server: ServerThread, client: Any) -> None:
    create_echo(client)
    status, _, document = request(server, "GET", "/2015-03-31/functions/")
    assert status == 200 and [f["FunctionName"] for f in document["Functions"]] == ["echo"]
    status, _, document = request(server, "GET", "/2016-08-19/account-settings/")
    assert status == 200 and document["AccountUsage"]["FunctionCount"] == 1
    status, headers, document = request(server, "POST", "/2015-03-31/functions/echo/invocations/", '{"k": 1}')
    assert status == 200 and headers["x-amz-executed-version"] == "$LATEST" and document["event"] == {"k": 1}


def _every_route() -> list[tuple[str, str]]:
    app = build_app(engine=None)  # type: ignore[arg-type]  # the routes of the real application; no handler runs
    routes = {(route.method, route.resource.canonical) for route in app.router.routes()
              if route.resource is not None and route.method != "HEAD"}
    return sorted(routes)


@pytest.mark.parametrize(("method", "path"), [route for route in _every_route() if not route[1].endswith("/")])
def test_every_route_answers_with_a_trailing_slash(server: ServerThread, method: str, path: str) -> None:
    concrete = re.sub(r"\{[^}]+\}", lambda match: "1" if "version" in match[0] else "fn", path)
    plain = request(server, method, concrete, "{}" if method in ("POST", "PUT") else None)
    slashed = request(server, method, concrete + "/", "{}" if method in ("POST", "PUT") else None)
    assert slashed[1].get("x-amzn-errortype") != "UnknownOperationException", slashed
    assert (slashed[0], slashed[1].get("x-amzn-errortype")) == (plain[0], plain[1].get("x-amzn-errortype"))


def _raw(server: ServerThread, data: bytes) -> tuple[int, dict[str, str], Any]:
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname or "", address.port or 0), timeout=30) as connection:
        connection.sendall(data)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, json.loads(body)


@pytest.mark.parametrize(("data", "status", "code"), [
    (b"GET /2015-03-31/functions?" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: {host}\r\n\r\n", 400,
     "InvalidRequestContentException"),
    (b"GET /2015-03-31/functions HTTP/1.1\r\nHost: {host}\r\nX-Long: " + b"a" * 20_000 + b"\r\n\r\n", 400,
     "InvalidRequestContentException"),
    (b"G(E)T /2015-03-31/functions HTTP/1.1\r\nHost: {host}\r\n\r\n", 404, "UnknownOperationException"),
    (b"GET /2015-03-31/functions HTTP/1.1\r\n\r\n", 403, "AccessDeniedException"),
    (b"GET /2015-03-31/functions HTTP/1.1\r\nHost: {host}\r\nContent-Length: x\r\n\r\n", 400,
     "InvalidRequestContentException"),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello\r\n\r\n", 404, "UnknownOperationException"),
])
def test_unparseable_requests_get_lambda_errors(server: ServerThread, data: bytes, status: int, code: str) -> None:
    host = urlsplit(server.url).netloc.encode()
    answered, headers, document = _raw(server, data.replace(b"{host}", host))
    assert (answered, headers["x-amzn-errortype"]) == (status, code)
    assert headers["content-type"].startswith("application/json") and headers["x-amzn-requestid"]
    assert set(document) <= {"Type", "message", "Message"} and (document.get("message") or document.get("Message"))
    assert request(server, "GET", "/2015-03-31/functions")[0] == 200  # and the server still serves
