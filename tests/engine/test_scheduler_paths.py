"""The scheduler's failure and cancellation paths, against a scripted runtime (tests/fakes/backend.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.fakes.backend import FakeBackend, RuntimeExit
from tests.helpers import make_project
from workbench.backends.base import LaunchError
from workbench.engine import Engine, EngineSettings
from workbench.model.project import Project


def _project(tmp_path: Path) -> Project:
    return make_project(tmp_path, {"Fn": {"InlineCode": "unused", "Handler": "index.handler",
                                          "Runtime": "python3.11", "Timeout": 5}})


async def _echo(payload: bytes) -> bytes:
    return payload


async def test_a_cancelled_caller_releases_its_slot_and_stops_the_environment(tmp_path: Path) -> None:
    answered = asyncio.Event()
    release = asyncio.Event()

    async def slow(payload: bytes) -> bytes:
        answered.set()
        await release.wait()
        return payload

    backend = FakeBackend(slow)
    settings = EngineSettings(account_concurrency=1, unreserved_min=0)
    async with Engine(_project(tmp_path), backend=backend, settings=settings) as engine:
        call = asyncio.create_task(engine.invoke("Fn", b"{}"))
        await answered.wait()
        assert engine.statistics().function("Fn").concurrent_executions == 1
        call.cancel()
        await asyncio.gather(call, return_exceptions=True)
        assert engine.statistics().function("Fn").concurrent_executions == 0
        backend.handler = _echo
        result = await engine.invoke("Fn", b'{"again": 1}')  # the one slot of the account is free again
        assert result.payload == b'{"again": 1}' and result.cold_start
        assert backend.killed == 1 and backend.launches == 2


async def test_a_runtime_that_cannot_launch_is_an_error_and_frees_its_slot(tmp_path: Path) -> None:
    backend = FakeBackend(_echo, launch_error=LaunchError("Runtime.InvalidEntrypoint", "no bootstrap"))
    settings = EngineSettings(account_concurrency=1, unreserved_min=0)
    async with Engine(_project(tmp_path), backend=backend, settings=settings) as engine:
        for _ in range(3):  # a leaked slot would throttle the second attempt
            result = await engine.invoke("Fn", b"{}")
            assert result.function_error == "Unhandled"
            assert result.json()["errorType"] == "Runtime.InvalidEntrypoint"
        assert engine.statistics().function("Fn").concurrent_executions == 0


async def test_a_runtime_that_exits_mid_invocation_is_reset_and_serves_again(tmp_path: Path) -> None:
    async def crash_once(payload: bytes) -> bytes:
        if payload == b'"crash"':
            raise RuntimeExit(3)
        return payload

    backend = FakeBackend(crash_once)
    async with Engine(_project(tmp_path), backend=backend) as engine:
        crashed = await engine.invoke("Fn", b'"crash"')
        assert crashed.json()["errorType"] == "Runtime.ExitError"
        assert "exit status 3" in crashed.json()["errorMessage"]
        fine = await engine.invoke("Fn", b'"ok"')
        assert fine.payload == b'"ok"' and fine.function_error is None
        assert len(engine.statistics().function("Fn").environments) == 1  # the same environment, reset
