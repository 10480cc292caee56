"""The process backend's sandbox: each execution environment in an unprivileged bubblewrap (`bwrap`) sandbox.

What the function sees, as on Lambda: its code read-only at /var/task, its layers read-only at /opt, the
workbench's bootstraps at /var/runtime, a private /tmp of EphemeralStorage MB (a tmpfs), the system's own
folders read-only (/usr, /etc, ... and the folders holding the interpreter) and nothing else: no home
folder, no project, no `.workbench/`, no other function's code, not the host's /tmp. A PID namespace holds
every process the function starts (also with `setsid` or a double fork); it dies with the environment, and
the environment dies with the workbench (`--die-with-parent`).

The network is the host's: the runtime reaches its Runtime API on 127.0.0.1, and the function reaches the
workbench's local AWS services there too. So another local process can still talk to an environment's
Runtime API port; the README's security section says so.

Where bubblewrap is missing or user namespaces are disabled, `probe` says why and the backend falls back to
plain subprocesses (and says so once). `WORKBENCH_SANDBOX=off` forces the fallback, `=required` makes a
missing sandbox an error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: Where things are inside the sandbox (the paths Lambda uses).
TASK_ROOT = "/var/task"
OPT_ROOT = "/opt"
RUNTIME_ROOT = "/var/runtime"

#: The host's system folders shown read-only (those that exist; links such as /bin -> usr/bin stay links).
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/nix")

MODES = ("auto", "off", "required")


class SandboxUnavailableError(Exception):
    """Why no sandbox can be made on this machine (a message for the user)."""


def mode_from_environment() -> str:
    mode = os.environ.get("WORKBENCH_SANDBOX", "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise ValueError(f"WORKBENCH_SANDBOX must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


def probe() -> str:
    """The bwrap executable when a sandbox works here; raises SandboxUnavailableError saying why otherwise.
    Blocking (it starts one sandbox): call it off the event loop, once."""
    executable = shutil.which("bwrap")
    if executable is None:
        raise SandboxUnavailableError("bubblewrap (bwrap) is not installed (Debian: apt-get install bubblewrap)")
    command = [executable, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--unshare-pid",
               "--die-with-parent", "--size", str(1024 * 1024), "--tmpfs", "/tmp", "true"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxUnavailableError(f"bwrap cannot run: {exc}") from None
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit status {done.returncode}"
        raise SandboxUnavailableError(f"bwrap cannot make a sandbox here ({reason}); are user namespaces disabled?")
    return executable


@dataclass(frozen=True, slots=True)
class SandboxLayout:
    """The host folders behind one environment's sandbox."""

    code: Path                  # the immutable snapshot: bound read-only, never copied
    opt: Path | None            # the layers (one layer's snapshot, or a merged tree), read-only
    runtimes: Path              # the workbench's bootstraps
    tmp_mb: int                 # the size of the private /tmp
    host_dirs: tuple[str, ...]  # interpreter folders outside the system folders (a venv, pyenv, nvm ...)


def host_dirs_for(executables: Iterable[str]) -> tuple[str, ...]:
    """The folders an interpreter needs beyond the system folders: its prefix (the folder above `bin/`),
    for the path as named and as resolved (a venv's `python` links to the base interpreter)."""
    found: list[str] = []
    for executable in executables:
        for path in {os.path.abspath(executable), os.path.realpath(executable)}:
            prefix = os.path.dirname(os.path.dirname(path))
            if prefix in ("", "/") or any(prefix == d or prefix.startswith(d + "/") for d in _SYSTEM_DIRS):
                continue
            if prefix not in found:
                found.append(prefix)
    return tuple(found)


def command(bwrap: str, layout: SandboxLayout, inner: list[str]) -> list[str]:
    """The bwrap command line that runs ``inner`` in the sandbox."""
    args = [bwrap, "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--hostname", "localhost", "--proc", "/proc", "--dev", "/dev"]
    for folder in _SYSTEM_DIRS:
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    for folder in layout.host_dirs:
        args += ["--ro-bind", folder, folder]
    args += ["--size", str(layout.tmp_mb * 1024 * 1024), "--tmpfs", "/tmp",
             "--ro-bind", str(layout.code), TASK_ROOT,
             "--ro-bind", str(layout.runtimes), RUNTIME_ROOT]
    if layout.opt is not None:
        args += ["--ro-bind", str(layout.opt), OPT_ROOT]
    else:
        args += ["--dir", OPT_ROOT]
    args += ["--chdir", TASK_ROOT, "--", *inner]
    return args
