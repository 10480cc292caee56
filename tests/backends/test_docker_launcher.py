"""The Docker sandbox's launcher (its PID 1, which starts runtimes without `docker exec`): exit statuses and
signals, out-of-memory kills, the runtime's environment, working directory and descriptors, relaunches in one
sandbox, and two pooled sandboxes launching at once. Real containers throughout; the script builder and the
pool's refill timing also have tests of their own logic."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.helpers import wait_until
from workbench.backends.base import ExitInfo, LaunchError, LaunchSpec, RuntimeHandle
from workbench.backends.docker_launcher import launch_script
from workbench.model.runtimes import lookup_runtime

#: Values a shell would mangle if they were not quoted right.
AWKWARD = {"QUOTES": "it's \"quoted\"", "SHELLISH": "$HOME `id` $(id) \\ ; | & > *", "LINES": "one\ntwo\n",
           "SPACES": "  padded  ", "EMPTY": "", "UNICODE": "grüße ✓"}


# -- the script, on the host's own /bin/sh --------------------------------------------------------------------
def test_the_launch_script_passes_every_value_exactly_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "environment"
    (tmp_path / "launch.sh").write_text(launch_script(["env", "-0"], AWKWARD, str(out)))
    done = subprocess.run(["/bin/sh", "-c", ". ./launch.sh"], env={"PATH": os.defpath}, cwd=tmp_path, check=False,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pairs = [item.split("=", 1) for item in out.read_text().split("\0") if item]
    assert dict(pairs) == {"PATH": os.defpath, **AWKWARD}


def test_a_variable_name_the_shell_cannot_export_is_a_clear_error() -> None:
    with pytest.raises(LaunchError, match="cannot be passed"):
        launch_script(["true"], {"NOT-A-NAME": "x"}, "/dev/null")


# -- the pool's refill timing (logic only: a fake maker) --------------------------------------------------------
class _Made:
    """What the fake maker makes: just enough of a Sandbox for the pool to hold and discard it."""

    def __init__(self, slot: Path) -> None:
        self.scratch = slot
        self.removed = False

    async def remove(self) -> None:
        self.removed = True


async def test_the_pool_refills_when_a_runtime_settles_not_during_the_cold_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.backends import docker_pool
    from workbench.backends.docker_pool import PoolKey, SandboxPool

    made: list[_Made] = []

    async def make(key: PoolKey, slot: Path) -> _Made:
        made.append(_Made(slot))
        return made[-1]

    monkeypatch.setattr(docker_pool, "REFILL_DELAY_S", 3600.0)
    key = PoolKey("image", 128, 512, None)
    pool = SandboxPool(2, tmp_path, make)  # type: ignore[arg-type]
    assert pool.take(key) is None          # the first of a kind: made on demand by the caller ...
    await asyncio.sleep(0)
    assert made == []                      # ... and nothing else is made while it starts
    pool.refill_pending()                  # its runtime settled
    await wait_until(lambda: pool.ready(key) == 2, message="the pool filled")
    assert pool.take(key) is not None and len(made) == 2
    pool.refill_pending()
    await wait_until(lambda: pool.ready(key) == 2, message="the pool refilled")
    await pool.close()
    assert len(made) == 3 and [sandbox.removed for sandbox in made].count(True) == 2   # the taken one is not ours


async def test_the_pool_refills_after_the_delay_even_when_nothing_settles(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.backends import docker_pool
    from workbench.backends.docker_pool import PoolKey, SandboxPool

    async def make(key: PoolKey, slot: Path) -> _Made:
        return _Made(slot)

    monkeypatch.setattr(docker_pool, "REFILL_DELAY_S", 0.05)
    key = PoolKey("image", 128, 512, None)
    pool = SandboxPool(1, tmp_path, make)  # type: ignore[arg-type]
    pool.take(key)
    await wait_until(lambda: pool.ready(key) == 1, message="the pool filled after the delay")
    await pool.close()


# -- real containers -------------------------------------------------------------------------------------------
@pytest.fixture
async def backend(docker_available: None) -> AsyncIterator[object]:
    from workbench.backends.docker import DockerBackend

    opened = DockerBackend(pool_size=2)
    await opened.open()
    yield opened
    await opened.close()


def _spec(tmp_path: Path, bootstrap: str, variables: dict[str, str] | None = None, memory_mb: int = 128,
          runtime: str = "provided.al2023", env_id: str | None = None) -> LaunchSpec:
    env_id = env_id or uuid.uuid4().hex
    code = tmp_path / f"code-{env_id}"
    code.mkdir(exist_ok=True)
    (code / "bootstrap").write_text("#!/bin/sh\n" + bootstrap)
    os.chmod(code / "bootstrap", 0o755)
    return LaunchSpec(env_id=env_id, function="launcher", version="$LATEST", runtime=lookup_runtime(runtime),
                      handler="x", code_dir=code, layer_dirs=(), variables=variables or {},
                      runtime_api="127.0.0.1:9", memory_mb=memory_mb, ephemeral_storage_mb=512,
                      scratch_dir=tmp_path / env_id, labels={"workbench.function": "launcher"})


class Run:
    """One launch: its handle, its output lines and its exit."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.exited: asyncio.Future[ExitInfo] = asyncio.get_running_loop().create_future()
        self.handle: RuntimeHandle | None = None

    async def start(self, backend: object, spec: LaunchSpec) -> Run:
        self.handle = await backend.launch(spec, self.lines.append, self.exited.set_result)  # type: ignore[attr-defined]
        return self

    async def finish(self) -> ExitInfo:
        info = await asyncio.wait_for(asyncio.shield(self.exited), 30)
        assert self.handle is not None
        self.handle.flush_output()
        return info


async def _run(backend: object, spec: LaunchSpec) -> tuple[ExitInfo, list[str]]:
    run = await Run().start(backend, spec)
    return await run.finish(), run.lines


async def _pool_full(backend: object, tmp_path: Path) -> None:
    """Pooled sandboxes of _spec's kind ready: the pool makes a kind's first ones once that kind is asked for."""
    if backend.pooled_ready() == 0 and backend.pooled_taken() == 0:  # type: ignore[attr-defined]
        await _run(backend, _spec(tmp_path, "exit 0\n"))
    await wait_until(lambda: backend.pooled_ready() == 2, timeout=60,  # type: ignore[attr-defined]
                     message="the pool filled")


@pytest.mark.docker
async def test_exit_statuses_and_deaths_by_signal_are_reported(tmp_path: Path, backend: object) -> None:
    assert await _run(backend, _spec(tmp_path, "echo bye; exit 7\n")) == (ExitInfo(code=7), ["bye"])
    outcomes = []
    for bootstrap in ("exit 0\n", "kill -TERM $$\n", "exec /no/such/runtime\n"):
        await _pool_full(backend, tmp_path)   # these run in pooled sandboxes
        outcomes.append(await _run(backend, _spec(tmp_path, bootstrap)))
    assert [info for info, _ in outcomes] == [ExitInfo(code=0), ExitInfo(signal=15), ExitInfo(code=127)]
    assert "not found" in " ".join(outcomes[2][1])
    assert backend.pooled_taken() == 3  # type: ignore[attr-defined]


#: The runtime as a Python program that says what it was given (Python ignores SIGPIPE and SIGXFSZ itself).
PROBE = """#!/usr/bin/python3
import json, os
status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines())
# as exec'd (os.environ would show the LC_CTYPE Python adds itself in the C locale)
environ = open("/proc/self/environ", encoding="utf-8").read().split("\\0")
fds = []
for fd in os.listdir("/proc/self/fd"):
    try:
        fds.append(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        pass
print(json.dumps({"cwd": os.getcwd(), "ignored": int(status["SigIgn"], 16), "blocked": int(status["SigBlk"], 16),
                  "fds": fds, "env": dict(item.split("=", 1) for item in environ if item)}))
"""


@pytest.mark.docker
@pytest.mark.parametrize("pooled", [False, True], ids=["on-demand", "pooled"])
async def test_the_runtime_gets_exactly_its_environment_working_directory_and_default_signals(
        tmp_path: Path, backend: object, pooled: bool) -> None:
    if pooled:
        await _pool_full(backend, tmp_path)
    taken = backend.pooled_taken()  # type: ignore[attr-defined]
    spec = _spec(tmp_path, "", {**AWKWARD, "AWS_REGION": "us-east-1"})
    (spec.code_dir / "bootstrap").write_text(PROBE)
    info, lines = await _run(backend, spec)
    assert info == ExitInfo(code=0), lines
    assert backend.pooled_taken() == taken + (1 if pooled else 0)  # type: ignore[attr-defined]
    (line,) = lines
    seen = json.loads(line)
    assert seen["cwd"] == "/var/task"
    assert seen["blocked"] == 0 and seen["ignored"] == (1 << (signal.SIGPIPE - 1)) | (1 << (signal.SIGXFSZ - 1))
    assert not [fd for fd in seen["fds"] if "workbench-control" in fd]   # nothing of the launcher's is held
    # exactly what `docker exec` gave: the container's own (Docker's HOSTNAME and HOME), then ours
    expected = backend._environment(spec)  # type: ignore[attr-defined]
    assert set(seen["env"]) == set(expected) | {"HOSTNAME", "HOME"}
    assert {name: seen["env"][name] for name in expected} == expected
    assert seen["env"]["QUOTES"] == AWKWARD["QUOTES"] and seen["env"]["LINES"] == "one\ntwo\n"


@pytest.mark.docker
async def test_an_out_of_memory_kill_is_reported_as_such(tmp_path: Path, backend: object) -> None:
    hog = "exec python3 -c 'x = bytearray(400 * 1024 * 1024); print(len(x))'\n"
    await _pool_full(backend, tmp_path)
    info, _ = await _run(backend, _spec(tmp_path, hog, memory_mb=128))
    assert info == ExitInfo(signal=9, oom=True)


@pytest.mark.docker
async def test_a_reset_relaunches_in_the_same_sandbox_and_each_exit_reaches_its_own_launch(
        tmp_path: Path, backend: object) -> None:
    spec = _spec(tmp_path, "echo \"up $$\"; while :; do sleep 1; done\n")
    first = await Run().start(backend, spec)
    await wait_until(lambda: any(line.startswith("up") for line in first.lines), message="the first runtime ran")
    assert first.handle is not None
    await first.handle.kill()
    assert await first.finish() == ExitInfo(signal=9)
    (spec.code_dir / "bootstrap").write_text("#!/bin/sh\necho again; exit 3\n")   # the code is mounted, not copied
    second = await Run().start(backend, spec)
    assert await second.finish() == ExitInfo(code=3) and second.lines == ["again"]
    assert first.handle.sandbox is second.handle.sandbox  # type: ignore[union-attr, attr-defined]


@pytest.mark.docker
async def test_a_dead_launcher_ends_its_runtime_and_the_next_launch_restarts_the_container(
        tmp_path: Path, backend: object) -> None:
    spec = _spec(tmp_path, "echo up; while :; do sleep 1; done\n")
    first = await Run().start(backend, spec)
    await wait_until(lambda: first.lines == ["up"], message="the runtime ran")
    sandbox = first.handle.sandbox  # type: ignore[union-attr]
    os.kill(sandbox.holder_pid, signal.SIGKILL)   # the launcher, PID 1: the container dies with it
    assert await first.finish() == ExitInfo(signal=9)
    (spec.code_dir / "bootstrap").write_text("#!/bin/sh\necho restarted; exit 5\n")
    second = await Run().start(backend, spec)
    assert await second.finish() == ExitInfo(code=5) and second.lines == ["restarted"]
    assert second.handle.sandbox is sandbox  # type: ignore[union-attr]


@pytest.mark.docker
async def test_two_pooled_sandboxes_launch_at_once_each_its_own(tmp_path: Path, backend: object) -> None:
    await _pool_full(backend, tmp_path)
    specs = [_spec(tmp_path, f"echo \"$WHO $(cat /var/task/who)\"; exit {code}\n", {"WHO": who})
             for who, code in (("left", 3), ("right", 4))]
    for spec, who in zip(specs, ("left", "right"), strict=True):
        (spec.code_dir / "who").write_text(who)
    runs = await asyncio.gather(*(Run().start(backend, spec) for spec in specs))
    results = await asyncio.gather(*(run.finish() for run in runs))
    assert results == [ExitInfo(code=3), ExitInfo(code=4)]
    assert [run.lines for run in runs] == [["left left"], ["right right"]]
    assert backend.pooled_taken() == 2  # type: ignore[attr-defined]
    sandboxes = {run.handle.sandbox.container_id for run in runs}  # type: ignore[union-attr]
    assert len(sandboxes) == 2
