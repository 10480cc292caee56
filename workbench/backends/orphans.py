"""Runtimes left behind by a workbench that died without cleaning up (`kill -9`, a crash, a power cut of
the terminal), found and killed at the next start.

Every runtime process the process backend starts carries ``_WORKBENCH_OWNER=<token>`` in its environment
(the owner token of `ownership`), and so does everything it starts unless the function deliberately clears
it. At start, processes of this user whose owner is certainly gone are killed. Processes of a workbench
that is still running (another window, a test run) are left alone.
"""

from __future__ import annotations

import contextlib
import os
import signal

from workbench.backends.ownership import owner_alive

OWNER_VARIABLE = "_WORKBENCH_OWNER"
_MARK = OWNER_VARIABLE.encode() + b"="


def _owner_of(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            environ = handle.read()
    except OSError:  # gone, or another user's
        return None
    for entry in environ.split(b"\0"):
        if entry.startswith(_MARK):
            return entry[len(_MARK):].decode("utf-8", "replace")
    return None


def reap_orphans() -> list[int]:
    """Kill the runtimes (and their children) of dead workbenches; returns their pids. Blocking: /proc is
    read once per process, so run it off the event loop."""
    me = os.getpid()
    killed: list[int] = []
    alive: dict[str, bool] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        owner = _owner_of(int(name))
        if owner is None:
            continue
        if owner not in alive:
            alive[owner] = owner_alive(owner)
        if not alive[owner]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(name), signal.SIGKILL)
                killed.append(int(name))
    return killed
