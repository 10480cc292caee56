"""The process backend's sandbox (issue 19, "The sandbox" and item 4), in both modes: with bubblewrap and in
the fallback without it. Real runtimes, real processes."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import EventLog, make_project, wait_until
from tests.sandbox_support import require_sandbox
from workbench.backends.process import ProcessBackend
from workbench.engine import BackendNotice, Engine
from workbench.model.project import Project

WRITER = """
import hashlib, json, os, subprocess, sys
def handler(event, context):
    root = os.environ["LAMBDA_TASK_ROOT"]
    mine = os.path.join(root, "data.txt")
    result = {"read": open(mine).read()}
    try:
        os.chmod(mine, 0o666)
        with open(mine, "w") as handle:
            handle.write("changed by the function")
        result["wrote"] = True
    except OSError as exc:
        result["wrote"] = exc.strerror
    for path in event.get("probe", []):
        result[path] = os.path.exists(path)
    if event.get("statvfs"):
        info = os.statvfs("/tmp")
        result["tmp_bytes"] = info.f_blocks * info.f_frsize
    if event.get("spawn"):
        # a double fork into a new session: out of the runtime's process group
        subprocess.Popen(["/bin/sh", "-c", "setsid sleep " + event["spawn"] + " &"], start_new_session=True).wait()
    return result
"""


def _project(tmp_path: Path) -> tuple[Path, Project]:
    project = make_project(tmp_path / "project",
                           {"Writer": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                       "EphemeralStorage": {"Size": 600}},
                            "Other": {"CodeUri": "other", "Handler": "app.handler", "Runtime": "python3.11"}},
                           {"src/app.py": WRITER, "src/data.txt": "original", "other/app.py": WRITER,
                            "other/data.txt": "other"})
    return tmp_path / "project", project


@pytest.fixture(params=["sandbox", "fallback"])
def mode(request: pytest.FixtureRequest) -> str:
    if request.param == "sandbox":
        require_sandbox()
    return str(request.param)


@pytest.fixture
async def engine(tmp_path: Path, mode: str) -> AsyncIterator[Engine]:
    _, project = _project(tmp_path)
    backend = ProcessBackend(sandbox="required" if mode == "sandbox" else "off")
    async with Engine(project, backend=backend) as running:
        yield running


#: Waits for a condition on /proc (there is no event to wait on for a stranger's process).
_until = functools.partial(wait_until, interval=0.02)


def _sleepers(marker: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                cmdline = Path(f"/proc/{name}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if cmdline[:2] == [b"sleep", marker.encode()]:
                found.append(int(name))
    return found


async def test_the_code_is_read_only_to_the_function(engine: Engine, mode: str) -> None:
    version = engine.registry.resolve("Writer").version
    snapshot = version.code.path / "data.txt"
    sha = version.code.code_sha256
    first = (await engine.invoke("Writer", b"{}")).json()
    assert first["read"] == "original"
    if mode == "sandbox":
        assert first["wrote"] == "Read-only file system"
    await engine.stop_environments("Writer")
    second = (await engine.invoke("Writer", b"{}")).json()
    assert second["read"] == "original"          # a new environment runs the code as published
    assert snapshot.read_text() == "original"     # and the snapshot itself is untouched
    assert engine.registry.resolve("Writer").version.code.code_sha256 == sha


async def test_the_sandbox_hides_the_host(engine: Engine, mode: str, tmp_path: Path) -> None:
    if mode != "sandbox":
        pytest.skip("only the sandbox hides the host")
    host_marker = Path("/tmp") / f"workbench-host-{os.getpid()}"
    host_marker.write_text("host")
    try:
        state_dir = engine.state_dir
        other_code = engine.registry.resolve("Other").version.code.path
        probes = [str(host_marker), str(state_dir), str(other_code), str(tmp_path / "project"), "/var/task/app.py",
                  "/var/runtime/python/bootstrap.py", os.path.expanduser("~")]
        result: dict[str, Any] = (await engine.invoke("Writer", json.dumps({"probe": probes, "statvfs": True}))).json()
    finally:
        host_marker.unlink()
    assert result[str(host_marker)] is False
    assert result[str(state_dir)] is False
    assert result[str(other_code)] is False
    assert result[str(tmp_path / "project")] is False
    assert result["/var/task/app.py"] is True and result["/var/runtime/python/bootstrap.py"] is True
    assert result["tmp_bytes"] == 600 * 1024 * 1024   # EphemeralStorage, as a tmpfs


async def test_processes_the_function_starts_die_with_its_environment(tmp_path: Path, mode: str) -> None:
    if mode != "sandbox":
        pytest.skip("without a sandbox a setsid'd process outlives its environment until the next start")
    _, project = _project(tmp_path)
    marker = str(900000 + os.getpid() % 10000)
    async with Engine(project, backend=ProcessBackend(sandbox="required")) as engine:
        await engine.invoke("Writer", json.dumps({"spawn": marker}))
        await _until(lambda: bool(_sleepers(marker)))
        await engine.stop_environments("Writer")
        await _until(lambda: not _sleepers(marker))


async def test_the_fallback_says_so_once(tmp_path: Path) -> None:
    _, project = _project(tmp_path)
    events = EventLog()
    engine = Engine(project, backend=ProcessBackend(sandbox="off"))
    engine.subscribe(events)
    async with engine:
        await engine.invoke("Writer", b"{}")
        await engine.invoke("Other", b"{}")
    notices = events.of(BackendNotice)
    assert len(notices) == 1 and "without a sandbox" in notices[0].message
    assert engine.notices == (notices[0].message,)


def test_a_required_sandbox_that_is_missing_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    from workbench.backends.base import BackendError
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on it
    backend = ProcessBackend(sandbox="required")
    with pytest.raises(BackendError, match="bubblewrap"):
        asyncio.run(backend.open())
    assert signal.SIGKILL  # (keeps the import honest for the orphan tests below)
