"""The Docker backend's pre-created sandboxes: made ahead and frozen, one environment each, removed with their
environment or the backend, reaped after a crash, and not made at all when the pool is off."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import make_project, wait_until

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("docker_available")]
REPO = Path(__file__).resolve().parents[2]

#: Each environment leaves a file in its /tmp (the container's own tmpfs) and says what it found there first:
#: a container handed to two environments would show the other's file.
TMP_APP = """
    import os, time
    def handler(event, context):
        found = sorted(os.listdir("/tmp"))
        open(os.path.join("/tmp", context.aws_request_id), "w").close()
        time.sleep(event.get("sleep", 0))
        return {"found": found, "function": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
                "code": os.path.isfile("/var/task/app.py")}
"""


def _project(tmp_path: Path, name: str) -> Any:
    return make_project(tmp_path, {"Tmp": {"FunctionName": name, "CodeUri": "src", "Handler": "app.handler",
                                           "Runtime": "python3.11", "Timeout": 30}},
                        {"src/app.py": textwrap.dedent(TMP_APP)})


async def _pooled(api: Any, owner: str) -> list[dict[str, Any]]:
    from workbench.backends.docker_pool import POOL_LABEL
    from workbench.backends.ownership import OWNER_LABEL

    return [c for c in await api.list_containers(POOL_LABEL) if (c.get("Labels") or {}).get(OWNER_LABEL) == owner]


async def test_pooled_sandboxes_are_made_ahead_each_serves_one_environment_and_all_are_removed(
        tmp_path: Path, api: Any) -> None:
    from workbench.backends.docker import DockerBackend
    from workbench.engine import Engine

    name = f"pool-{uuid.uuid4().hex[:8]}"
    backend = DockerBackend(pool_size=2)
    async with Engine(_project(tmp_path, name), backend=backend) as engine:
        owner = backend._owner
        first = await engine.invoke(name, b"{}")          # the first of its kind is made on demand ...
        assert first.json()["found"] == [] and backend.pooled_taken() == 0
        await wait_until(lambda: backend.pooled_ready() == 2, timeout=60, message="the pool filled")
        assert len(await _pooled(api, owner)) == 2        # ... and two more are made ahead for the next ones
        await engine.stop_environments()
        results = await asyncio.gather(*(engine.invoke(name, b'{"sleep": 1}') for _ in range(4)))
        assert backend.pooled_taken() >= 2
        for result in results:
            assert result.cold_start and result.function_error is None, result.payload
            # a fresh /tmp in every environment, the function's variables and code in the pooled ones too
            assert result.json() == {"found": [], "function": name, "code": True}
        assert len({result.record.env_id for result in results if result.record}) == 4
    assert await _pooled(api, owner) == []


async def test_a_used_pooled_sandbox_is_removed_with_its_environment(tmp_path: Path, api: Any) -> None:
    from workbench.backends.docker import DockerBackend
    from workbench.engine import Engine

    name = f"pool-{uuid.uuid4().hex[:8]}"
    backend = DockerBackend(pool_size=1)
    async with Engine(_project(tmp_path, name), backend=backend) as engine:
        await engine.invoke(name, b"{}")
        await wait_until(lambda: backend.pooled_ready() == 1, timeout=60, message="the pool filled")
        await engine.stop_environments()
        before = {c["Id"] for c in await _pooled(api, backend._owner)}
        pooled = await engine.invoke(name, b"{}")
        assert pooled.cold_start and backend.pooled_taken() == 1
        await engine.stop_environments()
        # the container that served is gone, not back in the pool (the pool makes a new one instead)
        await wait_until(lambda: backend.pooled_ready() == 1, timeout=60, message="the pool refilled")
        after = {c["Id"] for c in await _pooled(api, backend._owner)}
        assert len(after) == 1 and not before & after


async def test_with_the_pool_off_no_sandbox_is_made_ahead(tmp_path: Path, api: Any) -> None:
    from workbench.backends.docker import DockerBackend
    from workbench.engine import Engine

    name = f"nopool-{uuid.uuid4().hex[:8]}"
    backend = DockerBackend(pool_size=0)
    async with Engine(_project(tmp_path, name), backend=backend) as engine:
        for _ in range(3):
            result = await engine.invoke(name, b"{}")
            assert result.cold_start and result.function_error is None
            assert await _pooled(api, backend._owner) == []
            await engine.stop_environments()
        assert backend.pooled_ready() == 0 and backend.pooled_taken() == 0


def test_the_pool_size_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.backends.docker_pool import DEFAULT_POOL_SIZE, POOL_SIZE_VARIABLE, pool_size_from_environment

    monkeypatch.delenv(POOL_SIZE_VARIABLE, raising=False)
    assert pool_size_from_environment() == DEFAULT_POOL_SIZE
    monkeypatch.setenv(POOL_SIZE_VARIABLE, "0")
    assert pool_size_from_environment() == 0
    monkeypatch.setenv(POOL_SIZE_VARIABLE, "many")
    with pytest.raises(ValueError, match="whole number"):
        pool_size_from_environment()


async def test_pooled_sandboxes_of_a_crashed_workbench_are_reaped_at_the_next_start(tmp_path: Path,
                                                                                      api: Any) -> None:
    name = f"poolcrash-{uuid.uuid4().hex[:8]}"
    _project(tmp_path, name)
    crash = textwrap.dedent(f"""
        import asyncio, os
        from workbench.backends.docker import DockerBackend
        from workbench.engine import Engine
        from workbench.model.project import load_project
        async def main():
            backend = DockerBackend(pool_size=2)
            engine = Engine(load_project(), backend=backend)
            await engine.start()
            await engine.invoke({name!r}, b"{{}}")
            while backend.pooled_ready() < 2:
                await asyncio.sleep(0.05)
            print(backend._owner, backend._pool.root, flush=True)
            os._exit(9)               # die without any cleanup, the pool frozen and full
        asyncio.run(main())
    """)
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", crash], cwd=tmp_path, timeout=120,
                                   env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
    assert done.returncode == 9, done.stderr
    owner, root = done.stdout.split()
    assert len(await _pooled(api, owner)) == 2 and len(list(Path(root).iterdir())) == 3   # 2 slots, the owner file
    from workbench.backends.docker import DockerBackend

    backend = DockerBackend(pool_size=0)
    await backend.open()
    await backend.close()
    assert await _pooled(api, owner) == []
    assert not Path(root).exists()   # nor their slot folders


async def test_a_pooled_sandbox_gets_the_layers_at_opt_and_a_custom_runtime_runs_from_there(tmp_path: Path) -> None:
    from workbench.backends.base import ExitInfo, LaunchSpec
    from workbench.backends.docker import DockerBackend
    from workbench.model.runtimes import lookup_runtime

    code, first, second = tmp_path / "code", tmp_path / "layer1", tmp_path / "layer2"
    for folder in (code, first / "bin", second):
        folder.mkdir(parents=True)
    (code / "task.txt").write_text("from the code\n")
    (first / "shared.txt").write_text("from layer 1\n")
    (first / "bin" / "only-in-1").write_text("")
    (second / "shared.txt").write_text("from layer 2\n")
    (second / "bootstrap").write_text("#!/bin/sh\ncat /var/task/task.txt /opt/shared.txt; ls /opt/bin; "
                                      "echo $FROM_SPEC; touch /opt/x /var/task/x || echo ro; exit 7\n")
    os.chmod(second / "bootstrap", 0o755)

    def spec() -> LaunchSpec:
        env_id = uuid.uuid4().hex
        return LaunchSpec(env_id=env_id, function="layers", version="$LATEST",
                          runtime=lookup_runtime("provided.al2023"), handler="x", code_dir=code,
                          layer_dirs=(first, second), variables={"FROM_SPEC": "variables"},
                          runtime_api="127.0.0.1:9", memory_mb=128, ephemeral_storage_mb=512,
                          scratch_dir=tmp_path / env_id, labels={"workbench.function": "layers"})

    async def run(backend: DockerBackend, launched: LaunchSpec) -> tuple[ExitInfo, list[str]]:
        lines: list[str] = []
        exited: asyncio.Future[ExitInfo] = asyncio.get_running_loop().create_future()
        handle = await backend.launch(launched, lines.append, exited.set_result)
        info = await asyncio.wait_for(exited, 20)
        handle.flush_output()
        await backend.retire(launched.env_id)
        return info, lines

    backend = DockerBackend(pool_size=1)
    await backend.open()
    try:
        on_demand = await run(backend, spec())
        await wait_until(lambda: backend.pooled_ready() == 1, timeout=60, message="the pool filled")
        pooled = await run(backend, spec())
        assert backend.pooled_taken() == 1
    finally:
        await backend.close()
    expected = ["from the code", "from layer 2", "only-in-1", "variables",
                "touch: cannot touch '/opt/x': Read-only file system",
                "touch: cannot touch '/var/task/x': Read-only file system", "ro"]
    assert on_demand == (ExitInfo(code=7), expected)
    assert pooled == on_demand
