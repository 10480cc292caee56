"""A container's control groups, read and written straight from /sys/fs/cgroup.

The Docker backend goes through the kernel here rather than through the Docker API where the API is too
slow for the invoke path or does not say enough: freezing (`docker pause` is tens of milliseconds; a write
to the freezer is microseconds, the same mechanism runc uses), peak memory and out-of-memory kills (the
container's own accounting, read synchronously for the REPORT line), and the list of processes to kill
when a runtime is reset. Both cgroup v1 (one hierarchy per controller) and v2 (unified) are handled.
"""

from __future__ import annotations

import contextlib
import os
import signal
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def _controller_dirs(pid: int, root: Path) -> dict[str, Path]:
    """Map controller name ("memory", "freezer", ...; "" for the v2 unified tree) to the cgroup folder."""
    found: dict[str, Path] = {}
    with open(f"/proc/{pid}/cgroup") as table:
        for line in table:
            _hierarchy, controllers, path = line.rstrip("\n").split(":", 2)
            relative = path.lstrip("/")
            if controllers == "":
                unified = root / "unified" if (root / "unified").is_dir() else root
                found[""] = unified / relative
                continue
            for controller in controllers.split(","):
                found[controller.removeprefix("name=")] = root / controller / relative
    return found


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _read_keyed(path: Path, key: str) -> int | None:
    """A value from a `key value` file such as memory.oom_control or memory.events."""
    try:
        with open(path) as lines:
            for line in lines:
                name, _, value = line.partition(" ")
                if name == key:
                    return int(value)
    except (OSError, ValueError):
        return None
    return None


@dataclass(frozen=True, slots=True)
class ContainerCgroup:
    """The cgroup folders of one running container, found from its first process."""

    memory: Path | None
    freezer: Path | None
    unified: Path | None
    procs: Path | None

    @classmethod
    def of_process(cls, pid: int, root: Path = CGROUP_ROOT) -> ContainerCgroup:
        try:
            dirs = _controller_dirs(pid, root)
        except OSError:
            return cls(None, None, None, None)
        v1_memory = dirs.get("memory")
        v1_freezer = dirs.get("freezer")
        unified = dirs.get("")
        memory = v1_memory if v1_memory is not None and (v1_memory / "memory.usage_in_bytes").exists() else None
        if memory is None and unified is not None and (unified / "memory.current").exists():
            memory = unified
        freezer = v1_freezer if v1_freezer is not None and (v1_freezer / "freezer.state").exists() else None
        if freezer is None and unified is not None and (unified / "cgroup.freeze").exists():
            freezer = unified
        procs_dir = next((d for d in (dirs.get("pids"), memory, freezer) if d and (d / "cgroup.procs").exists()),
                         None)
        return cls(memory, freezer, unified, procs_dir / "cgroup.procs" if procs_dir else None)

    # -- freezer ----------------------------------------------------------------------------------------
    @property
    def can_freeze(self) -> bool:
        """Writable by us (root, usually); otherwise the backend falls back to `docker pause`."""
        return self.freezer is not None and os.access(self._freeze_file(), os.W_OK)

    def _freeze_file(self) -> Path:
        assert self.freezer is not None
        v1 = self.freezer / "freezer.state"
        return v1 if v1.exists() else self.freezer / "cgroup.freeze"

    def set_frozen(self, frozen: bool) -> None:
        """Start freezing (returns at once; the kernel completes it) or thaw (immediate)."""
        path = self._freeze_file()
        v1 = path.name == "freezer.state"
        value = ("FROZEN" if frozen else "THAWED") if v1 else ("1" if frozen else "0")
        with open(path, "w") as handle:
            handle.write(value)

    # -- memory -----------------------------------------------------------------------------------------
    def peak_bytes(self) -> int:
        """The highest memory use since the last `reset_peak` (v1) or since the container started (v2)."""
        if self.memory is None:
            return 0
        for name in ("memory.max_usage_in_bytes", "memory.peak", "memory.current"):
            value = _read_int(self.memory / name)
            if value is not None:
                return value
        return 0

    def reset_peak(self) -> None:
        """A fresh runtime starts a fresh peak, like a fresh process. Silently kept where not writable."""
        if self.memory is None:
            return
        with contextlib.suppress(OSError):
            (self.memory / "memory.max_usage_in_bytes").write_text("0")

    def set_memory_limit(self, limit_bytes: int) -> bool:
        """Change the container's memory limit (and its memory+swap limit, kept equal as the backend creates
        it: no swap). False where not permitted or refused (a limit below what is in use)."""
        if self.memory is None:
            return False
        v1 = (self.memory / "memory.limit_in_bytes").exists()
        files = (["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"] if v1 else ["memory.max"])
        files = [name for name in files if (self.memory / name).exists()]
        current = _read_int(self.memory / files[0]) if files else None
        if current is not None and limit_bytes > current:
            files.reverse()   # v1 refuses a memory limit above memory+swap: raise that one first
        try:
            for name in files:
                (self.memory / name).write_text(str(limit_bytes))
        except OSError:
            return False
        return bool(files)

    def oom_kills(self) -> int:
        """How many processes the kernel has killed for exceeding the container's memory limit."""
        if self.memory is None:
            return 0
        v1 = _read_keyed(self.memory / "memory.oom_control", "oom_kill")
        if v1 is not None:
            return v1
        return _read_keyed(self.memory / "memory.events", "oom_kill") or 0

    # -- processes --------------------------------------------------------------------------------------
    def processes(self) -> list[int]:
        if self.procs is None:
            return []
        try:
            return [int(line) for line in self.procs.read_text().split()]
        except (OSError, ValueError):
            return []

    def kill_all_but(self, keep: int) -> bool:
        """SIGKILL every process of the container except ``keep`` (its holder). False when not permitted,
        so the caller can ask Docker instead."""
        if self.procs is None:
            return False
        for pid in self.processes():
            if pid == keep:
                continue
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            except PermissionError:
                return False
        return True


def thaw_container(pid: int) -> None:
    """Thaw the container whose first process is ``pid``, if we can and it was frozen (a leftover)."""
    cgroup = ContainerCgroup.of_process(pid)
    if cgroup.can_freeze:
        with contextlib.suppress(OSError):
            cgroup.set_frozen(False)
