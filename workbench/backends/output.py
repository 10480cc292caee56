"""A runtime's stdout/stderr, read from a file descriptor on the event loop and cut into lines.

Both backends hand the runtime the write end of a pipe (an anonymous pipe for a subprocess, a named
pipe bind-mounted into a container) and read the other end here, without a thread per environment.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

_READ_CHUNK = 65536


class LineReader:
    """Delivers complete lines to ``on_line`` as they arrive; `flush` also delivers a trailing partial line."""

    def __init__(self, fd: int, on_line: Callable[[str], None], on_eof: Callable[[], None] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._fd: int | None = fd
        self._partial = b""
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
        data = self._partial + chunk
        *lines, self._partial = data.split(b"\n")
        for line in lines:
            self._on_line(line.decode("utf-8", "replace"))

    def flush(self) -> None:
        """Deliver, now, everything already written, including a line that has no newline yet."""
        self.read_available()
        self._deliver_partial()

    def _deliver_partial(self) -> None:
        if self._partial:
            partial, self._partial = self._partial, b""
            self._on_line(partial.decode("utf-8", "replace"))

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            self._loop.remove_reader(fd)
            os.close(fd)
        self._deliver_partial()
