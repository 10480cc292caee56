"""Which workbench process owns a container, so that leftovers of a crashed one can be told apart from the
containers of another workbench still running on the same machine (a GUI and a test run, say).

The owner is named by boot id, pid and the pid's start time: a pid reused after a reboot or by a later
process does not pass for the owner.
"""

from __future__ import annotations

import os
from pathlib import Path

OWNER_LABEL = "workbench.owner"


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "unknown-boot"


def _start_ticks(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its closing parenthesis.
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[19] if len(fields) > 19 else None


def owner_token(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{_boot_id()}/{pid}/{_start_ticks(pid) or '?'}"


def owner_alive(token: str) -> bool:
    """False only when the owner is certainly gone (another boot, or no such process any more)."""
    try:
        boot, pid_text, ticks = token.split("/")
        pid = int(pid_text)
    except ValueError:
        return False  # not a token we wrote: a damaged label; its container is nobody's
    if boot != _boot_id():
        return False
    current = _start_ticks(pid)
    return current is not None and (ticks == "?" or current == ticks)
