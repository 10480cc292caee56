"""Environment lifecycle rules in virtual time: freeze, idle stop, lifetime recycle, hot reload, events."""

from __future__ import annotations

import asyncio
import os
import signal
import textwrap
from pathlib import Path

from tests.helpers import EventLog, make_project, wait_until
from workbench.engine.core.clock import FakeClock
from workbench.engine.core.settings import EngineSettings
from workbench.engine.facade import Engine
from workbench.engine.observation.events import (
    EnvironmentBusy,
    EnvironmentFrozen,
    EnvironmentIdle,
    EnvironmentInitialised,
    EnvironmentStarting,
    EnvironmentStopped,
    EnvState,
    InvocationFinished,
    InvocationStarted,
)
from workbench.model.project import Project

APP = """
    import os
    VERSION = "v1"
    def handler(event, context):
        return {"pid": os.getpid(), "version": VERSION}
"""


def _project(tmp_path: Path) -> Project:
    return make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"}},
                        {"src/app.py": APP})


def _process_state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().rsplit(")", 1)[1].split()[0]


async def test_events_in_order_and_frozen_between_invocations(tmp_path: Path) -> None:
    events = EventLog()
    async with Engine(_project(tmp_path)) as engine:
        engine.subscribe(events)
        result = await engine.invoke("Fn")
        await wait_until(lambda: engine.statistics().function("Fn").environments[0].state == EnvState.FROZEN)
        pid = result.json()["pid"]
        # Stopped by SIGSTOP while idle (the kernel delivers the signal asynchronously: wait for it to land).
        await wait_until(lambda: _process_state(pid) == "T", message="the idle runtime stopped")
        again = await engine.invoke("Fn")
        assert again.json()["pid"] == pid
    kinds = [type(e) for e in events.events if type(e).__name__ != "LogLine"]
    assert kinds[:6] == [EnvironmentStarting, EnvironmentInitialised, EnvironmentBusy, InvocationStarted,
                         InvocationFinished, EnvironmentIdle]
    assert EnvironmentFrozen in kinds and kinds[-1] is EnvironmentStopped
    assert events.of(EnvironmentStopped)[0].reason == "shutdown"


async def test_idle_environments_stop_after_the_idle_timeout(tmp_path: Path) -> None:
    clock = FakeClock()
    events = EventLog()
    settings = EngineSettings(idle_timeout_s=300, max_lifetime_s=10_000)
    async with Engine(_project(tmp_path), clock=clock, settings=settings) as engine:
        engine.subscribe(events)
        pid = (await engine.invoke("Fn")).json()["pid"]
        await clock.advance(200)
        assert engine.statistics().environments == 1
        await clock.advance(101)
        await wait_until(lambda: bool(events.of(EnvironmentStopped)), message="the idle environment stopped")
        await wait_until(lambda: not os.path.exists(f"/proc/{pid}") or _process_state(pid) == "Z")
        assert events.of(EnvironmentStopped)[0].reason == "idle"
        assert engine.statistics().environments == 0
        cold = await engine.invoke("Fn")
    assert cold.cold_start


async def test_environments_are_recycled_after_their_lifetime(tmp_path: Path) -> None:
    clock = FakeClock()
    events = EventLog()
    settings = EngineSettings(idle_timeout_s=1000, max_lifetime_s=1500)
    async with Engine(_project(tmp_path), clock=clock, settings=settings) as engine:
        engine.subscribe(events)
        for _ in range(4):
            await engine.invoke("Fn")
            await clock.advance(400)
        await wait_until(lambda: bool(events.of(EnvironmentStopped)))
    assert events.of(EnvironmentStopped)[0].reason == "lifetime"


async def test_code_update_recycles_warm_environments(tmp_path: Path) -> None:
    events = EventLog()
    async with Engine(_project(tmp_path)) as engine:
        engine.subscribe(events)
        before = await engine.invoke("Fn")
        (tmp_path / "src" / "app.py").write_text(textwrap.dedent(APP).replace('"v1"', '"v2"'))
        await engine.reload_code("Fn")
        after = await engine.invoke("Fn")
        await wait_until(lambda: bool(events.of(EnvironmentStopped)))
    assert before.json()["version"] == "v1" and after.json()["version"] == "v2"
    assert after.cold_start
    assert events.of(EnvironmentStopped)[0].reason == "code-update"


async def test_statistics_snapshot(tmp_path: Path) -> None:
    async with Engine(_project(tmp_path)) as engine:
        await asyncio.gather(*(engine.invoke("Fn") for _ in range(3)))
        stats = engine.statistics()
    fn = stats.function("Fn")
    assert stats.backend == "process"
    assert fn.invocations == 3 and fn.cold_starts == len(fn.environments) == 3
    assert fn.concurrent_executions == 0 and fn.errors == 0
    assert stats.environments == 3


async def test_a_killed_frozen_environment_recovers(tmp_path: Path) -> None:
    async with Engine(_project(tmp_path)) as engine:
        pid = (await engine.invoke("Fn")).json()["pid"]
        os.kill(pid, signal.SIGKILL)
        # Gone from /proc only once the engine (its parent) has reaped it, i.e. has noticed the exit: a zombie
        # would mean the next request could still be handed to the dead runtime.
        await wait_until(lambda: not os.path.exists(f"/proc/{pid}"), message="the engine reaped the runtime")
        result = await engine.invoke("Fn")
    assert result.function_error is None and result.json()["pid"] != pid
