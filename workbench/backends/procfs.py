"""Memory of a process tree, read from /proc (Linux). Used by the process backend for Max Memory Used
and for enforcing MemorySize."""

from __future__ import annotations

import os

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def process_exists(pid: int) -> bool:
    """Whether a process ``pid`` exists (owned by anyone: a permission error still means it is there)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (children of all its threads, recursively)."""
    found = [pid]
    index = 0
    while index < len(found):
        current = found[index]
        index += 1
        try:
            threads = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for tid in threads:
            try:
                with open(f"/proc/{current}/task/{tid}/children", "rb") as handle:
                    found.extend(int(child) for child in handle.read().split())
            except (OSError, ValueError):
                continue
    return found


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def tree_rss_bytes(pid: int) -> int:
    return sum(rss_bytes(member) for member in descendants(pid))


def peak_rss_bytes(pid: int) -> int:
    """The kernel's high-water mark of one process's resident memory (VmHWM)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            status = handle.read()
        start = status.index(b"VmHWM:") + 6
        return int(status[start:status.index(b"kB", start)]) * 1024
    except (OSError, ValueError):
        return 0


def command_name(pid: int) -> str:
    """The process's command name (``comm``), or "" when it is gone."""
    try:
        with open(f"/proc/{pid}/comm", "rb") as handle:
            return handle.read().strip().decode("utf-8", "replace")
    except OSError:
        return ""
