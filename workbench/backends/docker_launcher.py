"""Starting runtimes in a container without `docker exec`: the container's first process is a launcher.

`docker exec` costs about 57 ms a runtime (an HTTP round trip to dockerd, then runc joining the container's
namespaces and cgroups), more than half of a pooled cold start. So the first process of every sandbox is a
tiny POSIX shell loop, which every runtime image has (`/bin/sh`; no compiler, no extra package): it waits
for a launch number on a named pipe, runs that launch's script in a forked child (in the foreground, so the
runtime gets default signal handling, and so the shell, as PID 1, keeps reaping orphans while it waits), and
writes the number and the child's exit status to a second named pipe. Starting a runtime is then a fork in
the container and no Docker call at all: a request-to-exit round trip for `true` measures about 1 ms, against
about 60 ms for `docker exec` of the same (and a pooled Python cold start went from about 100 ms to 35 ms).

The host side writes each launch as a small script (the variables, exported; then `exec` of the command with
its output sent to the output pipe) next to the pipes, in a folder shown read-only in the container, and
learns exits on the event loop from the exit pipe. Exit statuses are a shell's: 128+N for death by signal N,
as Docker's exec_die reported them, so `exit_info` reads both. Exits through SIGKILL from the cgroup (a reset,
the OOM killer) come back the same way, and a launcher that dies takes its container with it (Docker's `die`).

The launcher handles one runtime at a time, as an execution environment has: a request sent while a runtime
runs waits in the pipe until it exits. The pipes are opened read-write on both sides, so neither side ever
blocks opening them or sees end-of-file when the other is not there yet (or any more). A read-only mount
does not make a named pipe read-only: a function could write a made-up exit of its own runtime into it, which
only ends its own environment (it learns nothing and reaches nothing it could not already).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shlex
import stat
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from workbench.backends.base import LaunchError

log = logging.getLogger(__name__)

#: Where the control folder (``<scratch>/control``) appears in the container, read-only.
CONTROL_DIR = "/run/workbench-control"
_REQUESTS = "requests"
_EXITS = "exits"

#: PID 1 of every sandbox. fd 3 reads launch numbers, fd 4 reports "<number> <status>"; the child closes both
#: before the runtime starts, so the runtime holds nothing of ours but its output pipe.
LAUNCHER_COMMAND = ("/bin/sh", "-c", f"""exec 3<>{CONTROL_DIR}/{_REQUESTS} 4<>{CONTROL_DIR}/{_EXITS}
while read -r launch <&3; do
  (exec 3<&- 4<&-; . "{CONTROL_DIR}/launch-$launch.sh")
  echo "$launch $?" >&4
done""")

#: What `export` accepts; Lambda's own keys are a subset (letters, digits and underscores).
_SHELL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EXIT_LINE = re.compile(rb"^(\d+) (\d+)$")
#: An exit's number and status.
ExitSink = Callable[[int, int], None]


def control_folder(scratch: Path) -> Path:
    return scratch / "control"


def prepare_control(scratch: Path) -> Path:
    """Make the control folder and its two named pipes (blocking; idempotent). Returns the folder."""
    folder = control_folder(scratch)
    folder.mkdir(parents=True, exist_ok=True)
    for name in (_REQUESTS, _EXITS):
        path = folder / name
        if not (path.exists() and stat.S_ISFIFO(path.stat().st_mode)):
            os.mkfifo(path, 0o600)
    return folder


def launch_script(command: Sequence[str], environment: Mapping[str, str], output: str) -> str:
    """The script one launch runs (sourced by the launcher's forked child). The launcher's working directory
    is the container's, so there is no `cd`; PWD, which the shell sets for itself, is dropped, so the runtime's
    environment is exactly the container's plus ``environment``, as `docker exec` made it."""
    lines = ["unset PWD OLDPWD"]
    for name, value in environment.items():
        if not _SHELL_NAME.match(name):
            raise LaunchError("InvalidRuntimeException", f"environment variable name {name!r} cannot be passed to "
                              "the runtime (letters, digits and underscores only)")
        lines.append(f"export {name}={shlex.quote(value)}")
    lines.append(f"exec {shlex.join(command)} >{shlex.quote(output)} 2>&1")
    return "\n".join(lines) + "\n"


class Launcher:
    """The host's end of one container's launcher. Open it on the event loop; close it when the sandbox goes."""

    def __init__(self, scratch: Path, on_exit: ExitSink) -> None:
        self._folder = prepare_control(scratch)
        self._on_exit = on_exit
        self._loop = asyncio.get_running_loop()
        flags = os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC
        self._requests: int | None = os.open(self._folder / _REQUESTS, flags)
        self._exits: int | None = os.open(self._folder / _EXITS, flags)
        self._partial = b""
        self._next = 1
        self._loop.add_reader(self._exits, self._read_exits)

    @property
    def closed(self) -> bool:
        return self._requests is None

    def launch(self, command: Sequence[str], environment: Mapping[str, str], output: str) -> int:
        """Ask the launcher to start ``command``; returns the launch's number, which its exit will carry."""
        if self._requests is None:
            raise LaunchError("Sandbox.Failure", "the sandbox's launcher is closed")
        number = self._next
        self._next += 1
        text = launch_script(command, environment, output).encode()
        fd = os.open(self._folder / f"launch-{number}.sh", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC,
                     0o600)   # only the container's user (ours) reads the function's variables
        try:
            os.write(fd, text)
        finally:
            os.close(fd)
        os.write(self._requests, f"{number}\n".encode())   # a few bytes: never blocks, never split
        return number

    def _read_exits(self) -> None:
        if self._exits is None:
            return
        try:
            data = os.read(self._exits, 4096)
        except BlockingIOError:
            return
        *lines, self._partial = (self._partial + data).split(b"\n")
        for line in lines:
            match = _EXIT_LINE.match(line)
            if match is None:   # only the launcher writes here; anything else is ignored, loudly
                log.warning("unexpected line from a sandbox launcher: %r", line[:100])
                continue
            number, status = int(match[1]), int(match[2])
            with contextlib.suppress(FileNotFoundError):
                (self._folder / f"launch-{number}.sh").unlink()   # it holds the function's variables
            self._on_exit(number, status)

    def close(self) -> None:
        exits, requests = self._exits, self._requests
        self._exits = self._requests = None
        if exits is not None:
            self._loop.remove_reader(exits)
            os.close(exits)
        if requests is not None:
            os.close(requests)
