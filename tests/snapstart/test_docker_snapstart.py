"""SnapStart on the Docker backend in particular: restored environments are forks inside the version's own
container, frozen one by one (never the container), with their own exit status and memory; the container's
memory limit follows them; and the container goes with its version, with a failed snapshot and with the engine."""

from __future__ import annotations

import asyncio
import os
import signal
import textwrap
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.docker_support import require_docker
from tests.helpers import make_project, wait_until
from tests.snapstart.test_snapstart import FAILING
from workbench.engine import Engine, EngineSettings

pytestmark = pytest.mark.docker

APP = """
    import os, time

    def handler(event, context):
        if event.get("exit"):
            os._exit(event["exit"])
        held = bytearray(event.get("allocate_mb", 0) * 1024 * 1024)
        for i in range(0, len(held), 4096):
            held[i] = 1
        time.sleep(event.get("sleep", 0))
        with open("/proc/self/cgroup") as f:
            cgroups = f.read()
        return {"pid": os.getpid(), "cgroups": cgroups}
"""

MEMORY_MB = 256


@pytest.fixture(autouse=True)
def _docker() -> None:
    require_docker()


@pytest.fixture
async def api() -> AsyncIterator[Any]:
    from workbench.backends.docker_api import DockerApi

    connection = await DockerApi.connect()
    yield connection
    await connection.close()


def _project(tmp_path: Path, name: str, code: str) -> Any:
    props: dict[str, Any] = {"FunctionName": name, "CodeUri": "src", "Handler": "app.handler",
                             "Runtime": "python3.12", "MemorySize": MEMORY_MB, "Timeout": 30,
                             "SnapStart": {"ApplyOn": "PublishedVersions"}}
    return make_project(tmp_path / "project", {"Fn": props}, {"src/app.py": textwrap.dedent(code)})


async def _containers(api: Any, owner: str, version: str | None = None) -> list[dict[str, Any]]:
    from workbench.backends.ownership import OWNER_LABEL

    found = await api.list_containers(f"{OWNER_LABEL}={owner}")
    return [c for c in found if version is None or (c.get("Labels") or {}).get("workbench.version") == version]


def _state(pid: int) -> str:
    """A process's state letter from /proc (T: stopped), "" once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0]
    except OSError:
        return ""


async def test_restored_environments_fork_in_the_version_container_and_are_each_their_own(
        tmp_path: Path, api: Any) -> None:
    from workbench.backends.cgroups import ContainerCgroup
    from workbench.backends.docker import DockerBackend
    from workbench.backends.docker_snapshots import DockerSnapshot
    from workbench.backends.snapshots import RestoredHandle

    name = f"snap-{uuid.uuid4().hex[:8]}"
    backend = DockerBackend(pool_size=0)
    owner = backend._owner
    async with Engine(_project(tmp_path, name, APP), backend=backend,
                      settings=EngineSettings(idle_timeout_s=60)) as engine:
        version = (await engine.publish_version(name)).version
        [container] = await _containers(api, owner, version)   # made at publish time, before any invocation
        assert container["State"] == "running"
        snapshot = engine.scheduler.snapshots._snapshots[(name, version)]
        # The listening socket's folder goes once the snapshot has connected.
        assert isinstance(snapshot, DockerSnapshot) and not snapshot._folder.exists()
        info = await api.inspect_container(container["Id"])
        cgroup = ContainerCgroup.of_process(int(info["State"]["Pid"]))

        results = await asyncio.gather(*(engine.invoke(name, b'{"sleep": 0.5}', qualifier=version) for _ in range(2)))
        documents = [result.json() for result in results]
        assert all(result.function_error is None for result in results), documents
        # Both are forks inside the version's container (its id names their cgroup), yet two environments.
        assert all(container["Id"] in document["cgroups"] for document in documents), documents
        assert len({document["pid"] for document in documents}) == 2
        environments = [env for env in engine.scheduler.pools[name].environments.values()
                        if env.version.version == version]
        assert len(environments) == 2
        # The container's memory limit is MemorySize for the snapshot and for each live restored environment.
        assert cgroup.memory is not None
        limit = int((cgroup.memory / "memory.limit_in_bytes").read_text())
        assert limit == 3 * MEMORY_MB * 1024 * 1024

        # Idle, each restored runtime is stopped on its own; the container (its snapshot) keeps running.
        handles = [env.handle for env in environments]
        assert all(isinstance(handle, RestoredHandle) for handle in handles)   # watched as host processes
        restored = {handle.pid for handle in handles if isinstance(handle, RestoredHandle)}
        await wait_until(lambda: all(_state(pid) == "T" for pid in restored), message="restored runtimes frozen")
        # SCM_CREDENTIALS gave each restored runtime's pid as the host numbers it: they are the container's.
        assert restored <= set(cgroup.processes())
        others = [pid for pid in cgroup.processes() if pid not in restored]
        assert others and all(_state(pid) not in ("T", "") for pid in others)
        assert (cgroup.freezer is None
                or (cgroup.freezer / "freezer.state").read_text().strip() == "THAWED")

        # A thawed environment serves again; its memory is its own high-water mark.
        big = await engine.invoke(name, b'{"allocate_mb": 64}', qualifier=version)
        assert big.function_error is None and big.json()["pid"] in {d["pid"] for d in documents}
        # A restored runtime that exits reports its own exit status.
        crashed = await engine.invoke(name, b'{"exit": 3}', qualifier=version)
        assert crashed.function_error == "Unhandled" and crashed.json() == {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {crashed.request_id} Error: Runtime exited with error: exit status 3"}
        logs = [line.message for line in await engine.logs(name)]
        memory = [int(m.split("Max Memory Used: ")[1].split()[0]) for m in logs
                  if m.startswith("REPORT") and f"RequestId: {big.request_id}" in m]
        assert memory and memory[0] >= 64, logs

        # Deleting the version stops its environments, and its container goes with the last of them.
        await engine.delete_function(name, version)
        await wait_until(lambda: not any(_state(pid) for pid in restored), timeout=20, message="restored gone")
        remaining: list[Any] = [None]

        async def gone() -> None:
            while remaining:
                remaining[:] = await _containers(api, owner, version)
                await asyncio.sleep(0.05)
        await asyncio.wait_for(gone(), 20)
    assert await _containers(api, owner) == []


async def test_the_container_goes_with_the_engine_its_snapshot_and_a_failed_snapshot(
        tmp_path: Path, api: Any) -> None:
    from workbench.backends.cgroups import ContainerCgroup
    from workbench.backends.docker import DockerBackend
    from workbench.backends.process import ProcessHandle
    from workbench.backends.procfs import command_name

    name = f"snap-{uuid.uuid4().hex[:8]}"
    backend = DockerBackend(pool_size=0)
    async with Engine(_project(tmp_path, name, APP), backend=backend) as engine:
        version = (await engine.publish_version(name)).version
        result = await engine.invoke(name, b"{}", qualifier=version)
        assert result.function_error is None
        [first] = await _containers(api, backend._owner, version)

        # The snapshot process dies: its container goes, and the next environment comes from a new snapshot.
        info = await api.inspect_container(first["Id"])
        holder = int(info["State"]["Pid"])
        restored = {env.handle.pid for env in engine.scheduler.pools[name].environments.values()
                    if isinstance(env.handle, ProcessHandle)}
        [snapshot_pid] = [pid for pid in ContainerCgroup.of_process(holder).processes()   # not the holder's sh, sleep
                          if pid not in restored and command_name(pid).startswith("python")]
        os.kill(snapshot_pid, signal.SIGKILL)

        async def replaced() -> list[dict[str, Any]]:
            while (containers := await _containers(api, backend._owner, version)) and \
                    containers[0]["Id"] == first["Id"]:
                await asyncio.sleep(0.05)
            return containers
        assert await asyncio.wait_for(replaced(), 20) == []
        again = await engine.invoke(name, b"{}", qualifier=version)
        # The environment's runtime went with the old container; it is restored again, from the new snapshot.
        assert again.function_error is None and again.record is not None
        assert again.record.reinit_reason == "the runtime had exited"
        [second] = await _containers(api, backend._owner, version)
        assert second["Id"] != first["Id"] and second["Id"] in again.json()["cgroups"]
    # The engine closed with a restored environment running in the version's container: all are gone.
    assert await _containers(api, backend._owner) == []

    failing = f"snap-{uuid.uuid4().hex[:8]}"
    backend = DockerBackend(pool_size=0)
    async with Engine(_project(tmp_path / "failing", failing, FAILING), backend=backend) as engine:
        published = await engine.publish_version(failing)
        assert engine.snapshot_failure(published) == "ValueError: no snapshot today"
        assert await _containers(api, backend._owner, published.version) == []
