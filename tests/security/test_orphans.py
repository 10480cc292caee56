"""Runtimes die with their workbench (issue 19, item 6): after `kill -9` of the workbench nothing it started
lives on for long (the sandbox's PID namespace, or the runtime's parent-death signal and, for what a function
started in a session of its own, the reaper at the next start); SIGHUP and SIGQUIT stop `workbench serve`
as cleanly as SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.api.conftest import lambda_client
from tests.sandbox_support import require_sandbox
from tests.security.test_sandbox import _project, _sleepers, _until
from workbench.backends.process import ProcessBackend
from workbench.engine import Engine

DRIVER = textwrap.dedent("""
    import asyncio, json, sys
    from workbench.backends.process import ProcessBackend
    from workbench.engine import Engine
    from pathlib import Path
    from workbench.model.project import load_project

    async def main():
        project = load_project(Path(sys.argv[1]))
        async with Engine(project, backend=ProcessBackend(sandbox=sys.argv[2])) as engine:
            await engine.invoke("Writer", json.dumps({"spawn": sys.argv[3]}))
            print("ready", flush=True)
            await asyncio.Event().wait()

    asyncio.run(main())
""")


def _marked(owner_pid: int) -> list[int]:
    """Processes whose owner mark names ``owner_pid`` (the runtimes of that workbench)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                environ = Path(f"/proc/{name}/environ").read_bytes()
            except OSError:
                continue
            if b"_WORKBENCH_OWNER=" in environ and f"/{owner_pid}/".encode() in environ:
                found.append(int(name))
    return found


@pytest.mark.parametrize("mode", ["required", "off"])
async def test_nothing_outlives_a_killed_workbench(tmp_path: Path, mode: str) -> None:
    if mode == "required":
        require_sandbox()
    root, _ = _project(tmp_path)
    marker = str(800000 + os.getpid() % 10000 + (0 if mode == "off" else 50000))
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, str(root / "template.yaml"), mode, marker],
                              stdout=subprocess.PIPE, cwd=tmp_path)
    assert driver.stdout is not None
    line = await asyncio.to_thread(driver.stdout.readline)
    assert line.strip() == b"ready"
    await _until(lambda: bool(_sleepers(marker)))
    assert _marked(driver.pid)
    driver.kill()
    driver.wait()
    driver.stdout.close()
    if mode == "required":
        await _until(lambda: not _sleepers(marker) and not _marked(driver.pid))
        return
    # Without a sandbox the runtime dies at once (its parent-death signal); the process the function started
    # with setsid is out of its reach, until the next workbench starts and reaps it.
    await _until(lambda: _marked(driver.pid) == [pid for pid in _sleepers(marker)])
    assert _sleepers(marker)
    _, project = _project(tmp_path / "next")
    async with Engine(project, backend=ProcessBackend(sandbox="off")):
        await _until(lambda: not _sleepers(marker))


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGQUIT, signal.SIGTERM])
async def test_serve_stops_cleanly_on_hangup_and_quit(tmp_path: Path, signum: int) -> None:
    root, _ = _project(tmp_path)
    marker = str(700000 + os.getpid() % 10000 + signum * 1000)
    env = {**os.environ, "WORKBENCH_SANDBOX": "off"}  # the hardest case: no PID namespace to fall back on
    server = subprocess.Popen([sys.executable, "-m", "workbench", "serve", "--project", str(root), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert server.stdout is not None
    line = (await asyncio.to_thread(server.stdout.readline)).decode()
    url = line.split("Lambda API at ")[1].split()[0]
    client = lambda_client(url)  # signed, as the API's guard requires
    response = await asyncio.to_thread(client.invoke, FunctionName="Writer",
                                       Payload=json.dumps({"spawn": marker}).encode())
    assert response["StatusCode"] == 200
    await _until(lambda: bool(_sleepers(marker)))
    server.send_signal(signum)
    _, stderr = await asyncio.to_thread(server.communicate, None, 60)
    assert server.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    await _until(lambda: not _sleepers(marker) and not _marked(server.pid))
