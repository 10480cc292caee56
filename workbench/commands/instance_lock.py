"""One workbench window per project: a lock file with the holder's pid under the project's `.workbench/`.

Two windows on one project would run two engines writing one state store and fight over its functions'
warm environments. The lock is an flock(2) on `.workbench/gui.lock`, so it dies with its process (a crashed
workbench never leaves a project locked); the file's content only tells a second instance who holds it.
The file is emptied, not removed, on release: removing it would let a third instance lock a new file while
a second still waits on the old one.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from pathlib import Path
from types import TracebackType

LOCK_NAME = "gui.lock"


class ProjectLockedError(RuntimeError):
    """Another live process holds the project; its pid (and what it said about itself) are in the message."""

    def __init__(self, project_root: Path, holder: dict[str, object]) -> None:
        pid = holder.get("pid", "unknown")
        since = holder.get("started")
        started = f", since {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(since))}" if isinstance(
            since, (int, float)) else ""
        super().__init__(f"the project {project_root} is already open in another workbench (process {pid}"
                         f"{started}); close that window first, or open a copy of the project")
        self.pid = pid


class InstanceLock:
    """Held for as long as a window is open on ``state_dir``'s project (a context manager)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise ProjectLockedError(self.path.parent.parent, holder) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "started": time.time(), "argv": sys.argv}).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        finally:
            os.close(self._fd)   # closing the descriptor releases the flock
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


def _read_holder(fd: int) -> dict[str, object]:
    """What the holder wrote; it may be mid-write or an older format, so anything unreadable is 'unknown'."""
    try:
        content = os.pread(fd, 64 * 1024, 0)
        holder = json.loads(content) if content else {}
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}
