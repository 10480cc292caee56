"""A runtime's stdout/stderr, read from a file descriptor on the event loop and cut into lines.

Both backends hand the runtime the write end of a pipe (an anonymous pipe for a subprocess, a named
pipe bind-mounted into a container) and read the other end here, without a thread per environment.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

_READ_CHUNK = 65536


#: AWS cuts a log event at 256 KB; a longer line (or output without any newline) becomes several events.
MAX_LINE_BYTES = 256 * 1024


class LineReader:
    """Delivers complete lines to ``on_line`` as they arrive; `flush` also delivers a trailing partial line.

    Work is linear in the output: a partial line is kept as a list of chunks (never re-joined per read), and a
    line longer than MAX_LINE_BYTES is delivered in pieces of that size, as AWS cuts log events, so output
    without a newline costs bounded memory and no quadratic joining on the event loop."""

    def __init__(self, fd: int, on_line: Callable[[str], None], on_eof: Callable[[], None] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._fd: int | None = fd
        self._partial: list[bytes] = []
        self._partial_size = 0
        self._just_cut = False
        self._on_line = on_line
        self._on_eof = on_eof
        os.set_blocking(fd, False)
        self._loop.add_reader(fd, self.read_available)

    @property
    def closed(self) -> bool:
        return self._fd is None

    def read_available(self) -> None:
        fd = self._fd
        if fd is None:
            return
        while True:
            try:
                chunk = os.read(fd, _READ_CHUNK)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self.close()
                if self._on_eof is not None:
                    self._on_eof()
                return
            self._emit(chunk)
            if len(chunk) < _READ_CHUNK:
                return

    def _emit(self, chunk: bytes) -> None:
        start = 0
        while True:
            newline = chunk.find(b"\n", start)
            if newline < 0:
                self._keep(chunk[start:])
                return
            self._keep(chunk[start:newline])
            # A newline right after a 256 KB cut ends that piece: no empty event for it.
            self._deliver_partial(always=not self._just_cut)
            self._just_cut = False
            start = newline + 1

    def _keep(self, piece: bytes) -> None:
        """Add to the partial line, delivering full 256 KB pieces of it as they fill up."""
        while piece:
            room = MAX_LINE_BYTES - self._partial_size
            self._partial.append(piece[:room])
            self._partial_size += min(len(piece), room)
            self._just_cut = False
            piece = piece[room:]
            if self._partial_size >= MAX_LINE_BYTES:
                self._deliver_partial()
                self._just_cut = True

    def flush(self) -> None:
        """Deliver, now, everything already written, including a line that has no newline yet."""
        self.read_available()
        self._deliver_partial()

    def _deliver_partial(self, always: bool = False) -> None:
        if self._partial or always:
            data = b"".join(self._partial)
            self._partial, self._partial_size = [], 0
            # A UTF-8 character cut at a 256 KB boundary is replaced, never an error.
            self._on_line(data.decode("utf-8", "replace"))

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            self._loop.remove_reader(fd)
            os.close(fd)
        self._deliver_partial()
