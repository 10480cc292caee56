"""Runtime clients that are compiled before they run: Java's (Maven) and .NET's on Mono (mcs).

Their sources ship in `workbench/runtimes/{java,dotnet}`; each is built once per content hash of its
sources into the workbench's cache (`<cache>/runtimes/<language>-<hash>`), in a scratch folder renamed into
place, so a half-built client is never used and concurrent workbenches build it once. Java's needs its
libraries (aws-lambda-java-core, aws-lambda-java-serialization) from Maven Central: `workbench build`
may fetch them (build time); at run time Maven is only ever run offline (`-o`), from the local repository.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from workbench.backends.base import RUNTIMES_DIR, BackendError, LaunchError
from workbench.backends.bwrap import CLIENT_ROOT
from workbench.backends.images import default_cache_dir

#: Inside containers and sandboxes the compiled clients are mounted here (Lambda keeps language runtimes
#: under /var/lang).
CONTAINER_DIR = CLIENT_ROOT
JAVA_MAIN = "workbench.lambda.Bootstrap"
_ready: dict[str, Path] = {}


class CompileError(BackendError):
    """A runtime client could not be built; the message carries the tool's output."""


def _source_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "target" not in path.relative_to(folder).parts:
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _run(command: list[str], cwd: Path, what: str) -> None:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise CompileError(f"{what} needs `{command[0]}`, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise CompileError(f"{what} took more than 10 minutes") from None
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip().splitlines()
        raise CompileError(f"{what} failed (exit status {done.returncode}):\n" + "\n".join(output[-25:]))


class _Builder:
    """Builds a client from its ``sources`` into the empty folder ``scratch``."""

    def __call__(self, sources: Path, scratch: Path) -> None:
        raise NotImplementedError


def _build_once(language: str, build: _Builder) -> Path:
    """The cached build of ``language``'s client, made by ``build(scratch)`` when it is not there yet."""
    sources = RUNTIMES_DIR / language
    key = f"{language}-{_source_hash(sources)}"
    if key in _ready:
        return _ready[key]
    root = default_cache_dir().absolute() / "runtimes"
    final = root / key
    if not final.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        with open(root / f"{language}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not final.is_dir():
                scratch = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
                try:
                    build(sources, scratch)
                    os.rename(scratch, final)
                finally:
                    shutil.rmtree(scratch, ignore_errors=True)
    _ready[key] = final
    return final


class _JavaBuilder(_Builder):
    def __init__(self, offline: bool) -> None:
        self.offline = offline

    def __call__(self, sources: Path, scratch: Path) -> None:
        output = scratch / "maven"
        command = ["mvn", "-B", "-q", *(["-o"] if self.offline else []), "package", f"-Dworkbench.out={output}"]
        try:
            _run(command, sources, "building the Java runtime client with Maven")
        except CompileError as exc:
            if not self.offline:
                raise
            raise CompileError(f"{exc}\nThe Java runtime client is built once, with libraries from Maven Central: "
                               "run `workbench build` once while Maven Central is reachable") from None
        shutil.move(str(output / "workbench-java-runtime.jar"), scratch / "workbench-java-runtime.jar")
        shutil.move(str(output / "lib"), scratch / "lib")
        shutil.rmtree(output)


def build_java_runtime(offline: bool = False) -> Path:
    """The folder holding workbench-java-runtime.jar and lib/*.jar (built now when needed)."""
    return _build_once("java", _JavaBuilder(offline))


class _DotnetBuilder(_Builder):
    """Three assemblies: Amazon.Lambda.Core (the API functions compile against), the JSON serializers
    (Amazon.Lambda.Serialization.SystemTextJson) and WorkbenchBootstrap.exe (the runtime client)."""

    def __call__(self, sources: Path, scratch: Path) -> None:
        what = "compiling the .NET runtime client with Mono's mcs"
        core = scratch / "Amazon.Lambda.Core.dll"
        serializer = scratch / "Amazon.Lambda.Serialization.SystemTextJson.dll"
        _run(["mcs", "-target:library", "-optimize+", f"-out:{core}", *_sources(sources / "Amazon.Lambda.Core")],
             sources, what)
        _run(["mcs", "-target:library", "-optimize+", f"-r:{core}", f"-out:{serializer}",
              *_sources(sources / "Amazon.Lambda.Serialization.SystemTextJson")], sources, what)
        _run(["mcs", "-target:exe", "-optimize+", f"-r:{core}", f"-r:{serializer}",
              f"-out:{scratch / 'WorkbenchBootstrap.exe'}", *_sources(sources / "Bootstrap")], sources, what)


def _sources(folder: Path) -> list[str]:
    return sorted(str(path) for path in folder.glob("*.cs"))


def build_dotnet_runtime() -> Path:
    """The folder holding Amazon.Lambda.Core.dll, the serializer assembly and WorkbenchBootstrap.exe."""
    return _build_once("dotnet", _DotnetBuilder())


async def _ensure(language: str, builder: _Builder) -> Path:
    try:
        return await asyncio.to_thread(_build_once, language, builder)
    except CompileError as exc:
        raise LaunchError("Runtime.InvalidEntrypoint", str(exc)) from None


async def ensure_java_runtime() -> Path:
    """The Java runtime client for a launch: built offline only (never a download at run time)."""
    return await _ensure("java", _JavaBuilder(offline=True))


async def ensure_dotnet_runtime() -> Path:
    return await _ensure("dotnet", _DotnetBuilder())


def java_command(java: str, folder: str, memory_mb: int) -> list[str]:
    """The JVM command line of AWS's Java runtimes: tiered compilation stopped at C1 (faster cold starts),
    the serial collector, and a heap of about 85% of the function's memory. ``folder`` is where the
    runtime client is, as the launched process sees it. JAVA_TOOL_OPTIONS, set by the function, still
    applies (the JVM reads it itself)."""
    heap = max(16, memory_mb * 85 // 100)
    return [java, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
            f"-Xmx{heap}m", "-Djava.net.preferIPv4Stack=true", "-Dfile.encoding=UTF-8",
            "-cp", f"{folder}/workbench-java-runtime.jar:{folder}/lib/*", JAVA_MAIN]
