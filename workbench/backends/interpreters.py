"""Find the host interpreters that stand in for Lambda's managed runtimes in the process backend.

A runtime such as ``python3.12`` runs on a real Python 3.12 when the machine has one (on PATH or under
pyenv); otherwise on the nearest Python we can find, which INIT_START then names honestly. Shims (pyenv)
are resolved to the real executable once, because a shim costs tens of milliseconds on every cold start.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from workbench.backends.base import BackendError

_PROBE = "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])"


@dataclass(frozen=True, slots=True)
class Interpreter:
    executable: str
    version: str  # e.g. "3.12.1" or "20.20.2"


def _probe_python(candidate: str) -> Interpreter | None:
    try:
        done = subprocess.run([candidate, "-c", _PROBE], capture_output=True, text=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.split()
    if done.returncode != 0 or len(lines) != 2:
        return None
    return Interpreter(lines[0], lines[1])


def _python_candidates(version: str) -> list[str]:
    candidates: list[str] = []
    found = shutil.which(f"python{version}")
    if found:
        candidates.append(found)
    pyenv_root = Path.home() / ".pyenv" / "versions"
    if pyenv_root.is_dir():
        for folder in sorted(pyenv_root.glob(f"{version}*"), reverse=True):
            binary = folder / "bin" / f"python{version}"
            if binary.exists():
                candidates.append(str(binary))
    return candidates


def find_python(version: str) -> Interpreter:
    """A Python whose major.minor is ``version``, else the interpreter running the workbench.

    The desktop bundle (PyInstaller) has no interpreter to lend: its sys.executable is the workbench itself,
    so there the nearest Python is the machine's `python3`.
    """
    for candidate in _python_candidates(version):
        found = _probe_python(candidate)
        if found is not None and found.version.startswith(version + "."):
            return found
    if getattr(sys, "frozen", False):
        system = shutil.which("python3")
        found = _probe_python(system) if system else None
        if found is None:
            raise BackendError(f"no Python to run python{version} functions on: install python3 (or "
                               f"python{version}) on this machine")
        return found
    return Interpreter(sys.executable, ".".join(str(part) for part in sys.version_info[:3]))


def find_node() -> Interpreter | None:
    node = shutil.which("node")
    if node is None:
        return None
    try:
        done = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Interpreter(node, done.stdout.strip().lstrip("v")) if done.returncode == 0 else None


def _version_of(command: list[str], pattern: str) -> str | None:
    """The first match of ``pattern`` (one group) in what ``command`` prints, or None when it fails."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(pattern, done.stdout + done.stderr)
    return found.group(1) if done.returncode == 0 and found else None


#: For the other languages: the executable, how to ask its version, and where the version is in the answer.
_PROBES: dict[str, tuple[str, list[str], str]] = {
    "ruby": ("ruby", ["-e", "print RUBY_VERSION"], r"^(\d+\.\d+\.\d+)"),
    # `java -version` prints e.g. `openjdk version "17.0.15" 2025-04-15` (on stderr).
    "java": ("java", ["-version"], r'version "([^"]+)"'),
    "mono": ("mono", ["--version"], r"version (\d+\.\d+\.\d+(?:\.\d+)?)"),
}


def find_tool(language: str) -> Interpreter | None:
    """The host's ``ruby``, ``java`` or ``mono`` with its version, or None when it is not installed."""
    executable, arguments, pattern = _PROBES[language]
    found = shutil.which(executable)
    if found is None:
        return None
    version = _version_of([found, *arguments], pattern)
    return Interpreter(found, version) if version else None


class InterpreterCache:
    """Looks interpreters up once per process (they do not change while we run), off the event loop."""

    _python: dict[str, Interpreter] = {}
    _node: list[Interpreter | None] = []
    _tools: dict[str, Interpreter | None] = {}

    async def python(self, version: str) -> Interpreter:
        found = self._python.get(version)
        if found is None:
            found = await asyncio.to_thread(find_python, version)
            self._python[version] = found
        return found

    async def node(self) -> Interpreter | None:
        if not self._node:
            self._node.append(await asyncio.to_thread(find_node))
        return self._node[0]

    async def tool(self, language: str) -> Interpreter | None:
        """``ruby``, ``java`` or ``mono`` (see `find_tool`)."""
        if language not in self._tools:
            self._tools[language] = await asyncio.to_thread(find_tool, language)
        return self._tools[language]
