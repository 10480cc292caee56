"""The Docker backend against a real engine: container shape, freezing, cleanup, and a loop that never waits."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import make_project, running
from workbench.backends.base import ExitInfo, LaunchSpec
from workbench.engine.observation.events import EnvironmentFrozen, EnvState
from workbench.model.runtimes import lookup_runtime

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("docker_available")]
REPO = Path(__file__).resolve().parents[2]

PROBE_APP = """
    import json, os, time
    def handler(event, context):
        time.sleep(event.get("sleep", 0))
        st = os.statvfs("/tmp")
        try:
            open("/var/task/written", "w").close()
            task_writable = True
        except OSError:
            task_writable = False
        try:
            open("/etc/written", "w").close()
            root_writable = True
        except OSError:
            root_writable = False
        return {"tmp_mb": st.f_blocks * st.f_frsize // (1024 * 1024), "task_writable": task_writable,
                "root_writable": root_writable, "runtime_api": os.environ["AWS_LAMBDA_RUNTIME_API"],
                "task_root": os.environ["LAMBDA_TASK_ROOT"], "runtime_dir": os.environ["LAMBDA_RUNTIME_DIR"],
                "bootstrap_mounted": os.path.isfile("/var/runtime/python/bootstrap.py")}
"""


def _probe_project(tmp_path: Path, name: str, **props: object) -> Any:
    return make_project(tmp_path, {"Probe": {"FunctionName": name, "CodeUri": "src", "Handler": "app.handler",
                                             "Runtime": "python3.11", **props}}, {"src/app.py": PROBE_APP})


async def _containers_of(api: Any, function: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await api.list_containers(f"workbench.function={function}")
    return found


async def test_container_shape_labels_mounts_limits_and_host_network(tmp_path: Path, api: Any) -> None:
    name = f"shape-{uuid.uuid4().hex[:8]}"
    project = _probe_project(tmp_path, name, MemorySize=256, EphemeralStorage={"Size": 600})
    async with running(project, "docker") as engine:
        result = await engine.invoke(name, b"{}")
        (env,) = engine.statistics().function(name).environments
        (container,) = await _containers_of(api, name)
        info = await api.inspect_container(container["Id"])
    body = result.json()
    assert body["tmp_mb"] in range(590, 601)  # /tmp is EphemeralStorage big
    assert body["task_writable"] is False and body["root_writable"] is False
    assert body["runtime_api"].startswith("127.0.0.1:")
    assert (body["task_root"], body["runtime_dir"], body["bootstrap_mounted"]) == ("/var/task", "/var/runtime", True)
    labels = info["Config"]["Labels"]
    assert labels["workbench.function"] == name and labels["workbench.version"] == "$LATEST"
    assert labels["workbench.environment"] == env.env_id
    host = info["HostConfig"]
    assert host["NetworkMode"] == "host"
    assert host["Memory"] == 256 * 1024 * 1024 and host["MemorySwap"] == host["Memory"]
    mounts = {mount["Destination"]: mount for mount in info["Mounts"]}
    assert mounts["/var/task"]["RW"] is False and mounts["/var/runtime"]["RW"] is False
    assert await _containers_of(api, name) == []  # removed on shutdown


async def test_frozen_between_invocations_and_thawed_for_the_next(tmp_path: Path) -> None:
    name = f"freeze-{uuid.uuid4().hex[:8]}"
    frozen = asyncio.Event()
    async with running(_probe_project(tmp_path, name), "docker") as engine:
        engine.subscribe(lambda event: frozen.set() if isinstance(event, EnvironmentFrozen) else None)
        await engine.invoke(name, b"{}")
        await asyncio.wait_for(frozen.wait(), 5)
        env = next(iter(engine.scheduler.pools[name].environments.values()))
        cgroup = env.handle.sandbox.cgroup  # type: ignore[union-attr]
        for _ in range(100):  # FREEZING until the kernel has stopped every task
            state_while_idle = (cgroup.freezer / "freezer.state").read_text().strip()
            if state_while_idle != "FREEZING":
                break
            await asyncio.sleep(0.01)
        assert env.state is EnvState.FROZEN
        second = await engine.invoke(name, b"{}")
    assert state_while_idle == "FROZEN"
    assert not second.cold_start and second.function_error is None


async def test_without_cgroup_access_docker_pause_and_an_exec_kill_do_the_work(
        tmp_path: Path, api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a user who is in the docker group but not root gets: the same behaviour, through the API."""
    from workbench.backends.cgroups import ContainerCgroup

    monkeypatch.setattr(ContainerCgroup, "can_freeze", property(lambda self: False))
    monkeypatch.setattr(ContainerCgroup, "kill_all_but", lambda self, keep: False)
    name = f"nocg-{uuid.uuid4().hex[:8]}"
    frozen = asyncio.Event()
    async with running(_probe_project(tmp_path, name, Timeout=1), "docker") as engine:
        engine.subscribe(lambda event: frozen.set() if isinstance(event, EnvironmentFrozen) else None)
        first = await engine.invoke(name, b"{}")
        await asyncio.wait_for(frozen.wait(), 5)
        (container,) = await _containers_of(api, name)
        paused = False
        for _ in range(100):  # the pause runs in the background
            paused = (await api.inspect_container(container["Id"]))["State"]["Paused"]
            if paused:
                break
            await asyncio.sleep(0.02)
        timed_out = await engine.invoke(name, b'{"sleep": 10}')
        recovered = await engine.invoke(name, b"{}")
    assert first.function_error is None and paused
    assert timed_out.json()["errorType"] == "Sandbox.Timedout"
    assert recovered.function_error is None and not recovered.cold_start
    assert await _containers_of(api, name) == []


async def test_idle_environments_are_stopped_and_their_containers_removed(tmp_path: Path, api: Any) -> None:
    name = f"idle-{uuid.uuid4().hex[:8]}"
    async with running(_probe_project(tmp_path, name), "docker", idle_timeout_s=0.5) as engine:
        await engine.invoke(name, b"{}")
        assert len(await _containers_of(api, name)) == 1
        for _ in range(50):  # the reaper stops it after 0.5 s idle; the removal runs in the background
            await asyncio.sleep(0.1)
            if not engine.statistics().function(name).environments and not await _containers_of(api, name):
                break
        assert not engine.statistics().function(name).environments
        assert await _containers_of(api, name) == []


async def test_event_loop_keeps_ticking_while_containers_start(tmp_path: Path) -> None:
    name = f"lag-{uuid.uuid4().hex[:8]}"
    worst_lag = 0.0
    # What this measures is the backend's Docker calls, not the test process: a full collection over the heap
    # that the tests before this one left (measured: 60-100 ms late in a run) is kept out of the window.
    gc.collect()
    gc.freeze()
    try:
        async with running(_probe_project(tmp_path, name), "docker") as engine:
            loop = asyncio.get_running_loop()
            stop = asyncio.Event()

            async def ticker() -> None:
                nonlocal worst_lag
                while not stop.is_set():
                    before = loop.time()
                    await asyncio.sleep(0.005)
                    worst_lag = max(worst_lag, loop.time() - before - 0.005)

            ticking = asyncio.create_task(ticker())
            results = await asyncio.gather(*(engine.invoke(name, b'{"sleep": 0.5}') for _ in range(4)))
            stop.set()
            await ticking
    finally:
        gc.unfreeze()
    assert all(result.cold_start for result in results)
    assert len({result.record.env_id for result in results if result.record}) == 4
    assert worst_lag < 0.050, f"the event loop stalled for {worst_lag * 1000:.1f} ms"


async def test_layers_are_merged_at_opt_and_a_custom_runtime_runs_from_there(tmp_path: Path) -> None:
    from workbench.backends.docker import DockerBackend

    code, first, second = tmp_path / "code", tmp_path / "layer1", tmp_path / "layer2"
    for folder in (code, first / "bin", second):
        folder.mkdir(parents=True)
    (first / "shared.txt").write_text("from layer 1\n")
    (first / "bin" / "only-in-1").write_text("")
    (second / "shared.txt").write_text("from layer 2\n")
    (second / "bootstrap").write_text("#!/bin/sh\ncat /opt/shared.txt; ls /opt/bin; touch /opt/x || echo ro; exit 7\n")
    os.chmod(second / "bootstrap", 0o755)
    lines: list[str] = []
    exited: asyncio.Future[ExitInfo] = asyncio.get_running_loop().create_future()
    env_id = uuid.uuid4().hex
    spec = LaunchSpec(env_id=env_id, function="layers", version="$LATEST", runtime=lookup_runtime("provided.al2023"),
                      handler="x", code_dir=code, layer_dirs=(first, second), variables={},
                      runtime_api="127.0.0.1:9", memory_mb=128, ephemeral_storage_mb=512,
                      scratch_dir=tmp_path / "scratch", labels={"workbench.function": "layers"})
    backend = DockerBackend()
    await backend.open()
    try:
        handle = await backend.launch(spec, lines.append, exited.set_result)
        info = await asyncio.wait_for(exited, 20)
        handle.flush_output()
    finally:
        await backend.retire(env_id)
        await backend.close()
    assert info == ExitInfo(code=7)
    assert lines == ["from layer 2", "only-in-1", "touch: cannot touch '/opt/x': Read-only file system", "ro"]


def _run_workbench(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "workbench", *args], cwd=tmp_path, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)})


async def test_ctrl_c_removes_the_containers(tmp_path: Path, api: Any) -> None:
    name = f"sigint-{uuid.uuid4().hex[:8]}"
    _probe_project(tmp_path, name, Timeout=60)
    process = _run_workbench(tmp_path, "invoke", name, "--backend", "docker", "--event-json", '{"sleep": 30}')
    assert process.stderr is not None
    for _ in range(200):  # until the invocation runs inside its container
        line = await asyncio.to_thread(process.stderr.readline)
        if line.startswith("START RequestId") or not line:
            break
    assert len(await _containers_of(api, name)) == 1
    process.send_signal(signal.SIGINT)
    _out, err = await asyncio.to_thread(process.communicate, None, 30)
    assert process.returncode == 130, err
    assert await _containers_of(api, name) == []


async def test_leftovers_of_a_crashed_workbench_are_removed_at_the_next_start(tmp_path: Path, api: Any) -> None:
    name = f"crash-{uuid.uuid4().hex[:8]}"
    _probe_project(tmp_path, name)
    crash = textwrap.dedent(f"""
        import asyncio, os
        from workbench.engine.facade import Engine
        from workbench.model.project import load_project
        async def main():
            engine = Engine(load_project(), backend="docker")
            await engine.start()
            await engine.invoke({name!r}, b"{{}}")
            await asyncio.sleep(0.3)  # let it freeze: a frozen leftover must be removable too
            os._exit(9)               # die without any cleanup
        asyncio.run(main())
    """)
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", crash], cwd=tmp_path, timeout=60,
                                   env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
    assert done.returncode == 9, done.stderr
    (leftover,) = await _containers_of(api, name)
    assert leftover["State"] == "running"
    from workbench.backends.docker import DockerBackend

    backend = DockerBackend()
    await backend.open()
    await backend.close()
    assert await _containers_of(api, name) == []
