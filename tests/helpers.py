"""Helpers for building throw-away projects in tests."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import inspect
import io
import os
import shutil
import sys
import textwrap
import time
import zipfile
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from workbench.engine.core.settings import EngineSettings
from workbench.engine.facade import Engine
from workbench.engine.observation.events import EngineEvent
from workbench.model.project import Project, load_project


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content))
        if relative.endswith("bootstrap"):
            os.chmod(path, 0o755)


def vendor_distribution(name: str, target: Path, seen: set[str] | None = None) -> None:
    """Copy an installed distribution and its dependencies into ``target``, as a Lambda package bundles its
    libraries: the code then runs on any interpreter of the same version, in a container too."""
    seen = set() if seen is None else seen
    key = name.lower().replace("_", "-")
    if key in seen:
        return
    seen.add(key)
    distribution = importlib.metadata.distribution(name)
    for file in distribution.files or ():
        parts = file.parts
        if parts[0].endswith((".dist-info", ".data")) or parts[0] in ("..", "bin", "__pycache__") \
                or "__pycache__" in parts:
            continue
        source = Path(str(file.locate()))
        if source.is_file():
            destination = target / file
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    for requirement in distribution.requires or ():
        if ";" in requirement:
            continue  # extras and environment markers: not needed here
        dependency = requirement.split()[0].split(">")[0].split("=")[0].split("<")[0].split("[")[0]
        vendor_distribution(dependency, target, seen)


def python_for(backend: str) -> str:
    """The interpreter a custom runtime's bootstrap starts: this one on the host, the image's in a container."""
    return sys.executable if backend == "process" else "python3"


def make_project(root: Path, functions: Mapping[str, Mapping[str, Any]],
                 files: Mapping[str, str | bytes] = {}, globals_: Mapping[str, Any] | None = None,
                 extra_resources: Mapping[str, Any] | None = None,
                 metadata: Mapping[str, Mapping[str, Any]] | None = None) -> Project:
    """Write template.yaml with one AWS::Serverless::Function per entry of ``functions`` (with the resource
    ``Metadata`` given for it in ``metadata``, e.g. SAM's BuildMethod) and load it."""
    resources: dict[str, Any] = {
        name: {"Type": "AWS::Serverless::Function", "Properties": dict(props)} for name, props in functions.items()
    }
    for name, entry in (metadata or {}).items():
        resources[name]["Metadata"] = dict(entry)
    resources.update(extra_resources or {})
    document: dict[str, Any] = {"Transform": "AWS::Serverless-2016-10-31", "Resources": resources}
    if globals_:
        document["Globals"] = {"Function": dict(globals_)}
    root.mkdir(parents=True, exist_ok=True)
    (root / "template.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    write_files(root, files)
    return load_project(root / "template.yaml")


@contextlib.asynccontextmanager
async def running(project: Project, backend: str = "process", **settings: Any) -> AsyncIterator[Engine]:
    engine = Engine(project, backend=backend, settings=EngineSettings(**settings))
    async with engine:
        yield engine


async def wait_until(predicate: Callable[[], Any], message: str = "condition", *, timeout: float = 10.0,
                     interval: float = 0.005) -> Any:
    """Wait for a condition the engine reaches on its own (a process gone, an event seen), checking it every
    ``interval`` seconds; returns the predicate's first true value, raises TimeoutError naming ``message``
    after ``timeout`` seconds. The predicate may be a coroutine function (one that asks the engine). Never a
    fixed sleep."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if loop.time() >= deadline:
            raise TimeoutError(f"{message} not reached in {timeout} s")
        await asyncio.sleep(interval)


def wait_until_blocking(predicate: Callable[[], Any], message: str = "condition", *, timeout: float = 30.0,
                        interval: float = 0.05) -> Any:
    """wait_until for tests without an event loop of their own (a server in a thread, a child process)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{message} not reached in {timeout} s")
        time.sleep(interval)


class EventLog:
    """Collects engine events for assertions."""

    def __init__(self) -> None:
        self.events: list[EngineEvent] = []

    def __call__(self, event: EngineEvent) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [event for event in self.events if isinstance(event, kind)]


def zip_of(files: Mapping[str, str | bytes], modes: Mapping[str, int] | None = None) -> bytes:
    """A ZIP holding ``files`` (name -> text or bytes), with Unix modes where given (e.g. 0o100755)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = ((modes or {}).get(name, 0o100644)) << 16
            archive.writestr(info, text)
    return buffer.getvalue()
