"""Invoke refuses an oversized body before reading it (issue 19, item 10): twenty 60 MB invokes must not be
buffered in full only to be refused."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlparse

from tests.api.conftest import ServerThread, create_echo, signed_headers


def _answer(server: ServerThread, path: str, headers: str, body: bytes = b"") -> bytes:
    parts = urlparse(server.url)
    # Signed as an SDK signs (the server refuses unsigned requests); the signature does not cover this body,
    # which the server never verifies without configured credentials.
    signature = "".join(f"{k}: {v}\r\n" for k, v in signed_headers(server, "POST", path).items()
                        if k != "Content-Type")
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{signature}{headers}\r\n".encode()
                           + body)
        return connection.recv(65536)


def test_a_declared_oversized_body_is_refused_before_it_is_sent(server: ServerThread, client: Any) -> None:
    create_echo(client)
    # Only the headers go out: a server that waits for the 60 MB before checking never answers (timeout).
    answer = _answer(server, "/2015-03-31/functions/echo/invocations",
                     f"Content-Length: {60 * 1024 * 1024}\r\nContent-Type: application/json\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"RequestTooLargeException" in answer


def test_a_chunked_oversized_body_is_refused_while_it_is_read(server: ServerThread, client: Any) -> None:
    create_echo(client)
    chunk = b"x" * (1024 * 1024)
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(7))  # 7 MB, no terminating chunk
    answer = _answer(server, "/2015-03-31/functions/echo/invocations",
                     "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n", body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
