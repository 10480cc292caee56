"""A small HTTP/1.1 server protocol for the Runtime API, the hottest path in the workbench.

Every invocation crosses it twice (the response or error POST, then the next GET). A general web framework
spends several times more CPU per request than the rest of the invocation, so the Runtime API uses this
purpose-built protocol: requests are parsed in place, answered synchronously whenever the answer is known,
and a parked `next` costs one future, no task. It implements the subset of HTTP/1.1 runtimes use:
persistent connections, Content-Length and chunked bodies, `Expect: 100-continue`, and a body limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import cast

_HEADER_END = b"\r\n\r\n"
_MAX_HEAD = 64 * 1024
_REASONS = {status.value: status.phrase for status in HTTPStatus}


@dataclass(slots=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]   # lower-cased names
    body: bytes
    oversize: bool = False    # the body exceeded the limit and was discarded


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] | None = None
    content_type: str = "application/json"

    def encode(self, close: bool) -> bytes:
        reason = _REASONS.get(self.status, "Unknown")
        lines = [f"HTTP/1.1 {self.status} {reason}", f"Content-Length: {len(self.body)}"]
        if self.headers:
            lines.extend(f"{name}: {value}" for name, value in self.headers.items())
            if "Content-Type" not in self.headers:
                lines.append(f"Content-Type: {self.content_type}")
        else:
            lines.append(f"Content-Type: {self.content_type}")
        if close:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


class Pending:
    """An answer not known yet (a parked `next`). Unlike a future it calls back synchronously when resolved:
    the event reaches the runtime in the same turn of the event loop that submitted it."""

    __slots__ = ("_callback", "_done", "_response")

    def __init__(self) -> None:
        self._callback: Callable[[Response | None], None] | None = None
        self._response: Response | None = None
        self._done = False

    def resolve(self, response: Response | None) -> None:
        """Answer with ``response``; None abandons the request (its connection is closed)."""
        if self._done:
            return
        self._done, self._response = True, response
        callback, self._callback = self._callback, None
        if callback is not None:
            callback(response)

    def on_done(self, callback: Callable[[Response | None], None]) -> None:
        if self._done:
            callback(self._response)
        else:
            self._callback = callback


#: The handler answers at once with a Response, or with a Pending that will be resolved.
Handler = Callable[[Request], "Response | Pending"]


class _BadRequestError(Exception):
    pass


class RuntimeHttpProtocol(asyncio.Protocol):
    def __init__(self, handler: Handler, body_limit: int, on_close: Callable[[RuntimeHttpProtocol], None]) -> None:
        self._handler = handler
        self._limit = body_limit
        self._on_close = on_close
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._busy = False          # a request is being answered; later bytes wait in the buffer
        self._head: tuple[str, str, dict[str, str]] | None = None
        self._close_after = False
        self._skipping = 0          # bytes of an oversize body still to be discarded
        self._held: list[bytes] = []   # answers not yet written (see _process)

    # -- asyncio.Protocol -------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)   # a stream transport (any event loop's)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._on_close(self)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self._busy:
            self._process()

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    # -- parsing ----------------------------------------------------------------------------------------
    def _process(self) -> None:
        held = self._held
        while self._transport is not None and not self._busy:
            try:
                request = self._parse()
            except _BadRequestError as exc:
                held.append(Response(400, f'{{"errorType":"BadRequest","errorMessage":"{exc}"}}'.encode()).encode(True))
                self._write_held(close=True)
                return
            if request is None:
                break
            answer = self._handler(request)
            if isinstance(answer, Response):
                held.append(answer.encode(self._close_after))
                if self._close_after:
                    self._write_held(close=True)
                    return
            else:
                # A runtime that pipelined its result and its `next` reads the result's answer and then waits
                # for the event: both go out in one write (one wake-up of the runtime, one send).
                self._busy = True
                answer.on_done(self._answered)
                return
        self._write_held(close=False)

    def _answered(self, response: Response | None) -> None:
        self._busy = False
        if response is None:
            self._held.clear()
            self.close()
            return
        self._held.append(response.encode(self._close_after))
        self._write_held(close=self._close_after)
        if self._buffer:
            self._process()

    def _write_held(self, close: bool) -> None:
        held = self._held
        if self._transport is None or not held:
            held.clear()
            return
        self._transport.write(held[0] if len(held) == 1 else b"".join(held))
        held.clear()
        if close:
            self._transport.close()

    def _parse(self) -> Request | None:
        if self._head is None:
            end = self._buffer.find(_HEADER_END)
            if end < 0:
                if len(self._buffer) > _MAX_HEAD:
                    raise _BadRequestError("request head too large")
                return None
            self._head = self._parse_head(bytes(self._buffer[:end]))
            del self._buffer[:end + 4]
            headers = self._head[2]
            if headers.get("expect", "").lower() == "100-continue" and self._transport is not None:
                self._write_held(close=False)   # answers to earlier requests go first
                self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        method, path, headers = self._head
        body = self._take_body(headers)
        if body is None:
            return None
        self._head = None
        self._close_after = headers.get("connection", "").lower() == "close"
        payload, oversize = body
        return Request(method, path, headers, payload, oversize)

    @staticmethod
    def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _BadRequestError("malformed request line")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                raise _BadRequestError("malformed header line")
            headers[name.strip().lower()] = value.strip()
        return parts[0], parts[1].split("?", 1)[0], headers

    def _take_body(self, headers: dict[str, str]) -> tuple[bytes, bool] | None:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return self._take_chunked()
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            raise _BadRequestError("invalid Content-Length") from None
        if length > self._limit:
            # Never hold an oversize body in memory: drop it as it arrives, then answer.
            if not self._skipping:
                self._skipping = length
            dropped = min(self._skipping, len(self._buffer))
            del self._buffer[:dropped]
            self._skipping -= dropped
            return (b"", True) if not self._skipping else None
        if len(self._buffer) < length:
            return None
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        return body, False

    def _take_chunked(self) -> tuple[bytes, bool] | None:
        """Decode a complete chunked body, or return None until all of it has arrived."""
        position, total = 0, 0
        chunks: list[bytes] = []
        buffer = self._buffer
        while True:
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                return None
            try:
                size = int(bytes(buffer[position:line_end]).split(b";")[0], 16)
            except ValueError:
                raise _BadRequestError("invalid chunk size") from None
            start = line_end + 2
            if size == 0:
                trailer_end = buffer.find(b"\r\n", start)
                while trailer_end > start:   # skip trailers up to the empty line
                    start = trailer_end + 2
                    trailer_end = buffer.find(b"\r\n", start)
                if trailer_end < 0:
                    return None
                del buffer[:trailer_end + 2]
                oversize = total > self._limit
                return (b"" if oversize else b"".join(chunks)), oversize
            if len(buffer) < start + size + 2:
                return None
            total += size
            if total <= self._limit:
                chunks.append(bytes(buffer[start:start + size]))
            position = start + size + 2
