"""Runtimes, and what they started, found by the marks in their environment and killed.

Every runtime process the process backend starts carries ``_WORKBENCH_OWNER=<token>`` (the owner token of
`ownership`) and ``_WORKBENCH_ENVIRONMENT=<id>`` in its environment, and so does everything it starts unless
the function deliberately clears them. Without a sandbox that is how the workbench finds what a function
started in a session of its own (`setsid`, a double fork), out of reach of the environment's process group:
when the environment goes, when the workbench closes, and, for a workbench that died without cleaning up
(`kill -9`, a crash), at the next start. Processes of a workbench that is still running are left alone.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable

from workbench.backends.ownership import owner_alive

OWNER_VARIABLE = "_WORKBENCH_OWNER"
ENVIRONMENT_VARIABLE = "_WORKBENCH_ENVIRONMENT"
_OWNER = OWNER_VARIABLE.encode() + b"="
_ENVIRONMENT = ENVIRONMENT_VARIABLE.encode() + b"="


def _marks(pid: int) -> tuple[str, str] | None:
    """The (owner, environment) marks of a process, or None for an unmarked, vanished or foreign one."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            environ = handle.read()
    except OSError:
        return None
    if _OWNER not in environ:
        return None
    owner = environment = ""
    for entry in environ.split(b"\0"):
        if entry.startswith(_OWNER):
            owner = entry[len(_OWNER):].decode("utf-8", "replace")
        elif entry.startswith(_ENVIRONMENT):
            environment = entry[len(_ENVIRONMENT):].decode("utf-8", "replace")
    return owner, environment


def kill_marked(select: Callable[[str, str], bool]) -> list[int]:
    """SIGKILL every marked process for which ``select(owner, environment)``; returns their pids. Blocking
    (reads /proc once per process): run it off the event loop."""
    me = os.getpid()
    killed: list[int] = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        marks = _marks(int(name))
        if marks is not None and select(*marks):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(name), signal.SIGKILL)
                killed.append(int(name))
    return killed


def reap_orphans() -> list[int]:
    """Kill what workbenches that are certainly gone left behind."""
    alive: dict[str, bool] = {}

    def orphaned(owner: str, _environment: str) -> bool:
        if owner not in alive:
            alive[owner] = owner_alive(owner)
        return not alive[owner]

    return kill_marked(orphaned)
