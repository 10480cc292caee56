"""Scaling with real runtime processes: reuse, scale-out, throttles, provisioned concurrency, spill-over."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.helpers import EventLog, make_project, wait_until
from workbench.engine.core.clock import FakeClock
from workbench.engine.core.errors import InvalidParameterValueError, TooManyRequestsError
from workbench.engine.core.settings import EngineSettings
from workbench.engine.execution.load import run_load
from workbench.engine.facade import Engine
from workbench.engine.observation.events import EnvironmentBusy, InitType, ProvisionedConcurrencyChanged, Throttled
from workbench.model.project import Project

APP = """
    import os, time
    def handler(event, context):
        time.sleep(event.get("sleep", 0))
        return {"pid": os.getpid(), "init": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"],
                "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"]}
"""


def _project(tmp_path: Path, **props: object) -> Project:
    return make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                          "Timeout": 30, **props}}, {"src/app.py": APP})


async def test_sequential_requests_reuse_one_environment_and_concurrent_ones_scale_out(tmp_path: Path) -> None:
    async with Engine(_project(tmp_path)) as engine:
        sequential = [await engine.invoke("Fn") for _ in range(5)]
        assert len({r.json()["pid"] for r in sequential}) == 1
        concurrent = await asyncio.gather(*(engine.invoke("Fn", b'{"sleep": 0.5}') for _ in range(4)))
        stats = engine.statistics().function("Fn")
    assert len({r.json()["pid"] for r in concurrent}) == 4
    assert sum(r.cold_start for r in concurrent) == 3    # one warm environment existed already
    assert len(stats.environments) == 4 and stats.cold_starts == 4


async def test_reserved_concurrency_throttles_beyond_the_reservation(tmp_path: Path) -> None:
    events = EventLog()
    async with Engine(_project(tmp_path, ReservedConcurrentExecutions=2)) as engine:
        engine.subscribe(events)
        results = await asyncio.gather(*(engine.invoke("Fn", b'{"sleep": 0.5}') for _ in range(4)),
                                       return_exceptions=True)
        stats = engine.statistics().function("Fn")
    throttles = [r for r in results if isinstance(r, TooManyRequestsError)]
    assert len(throttles) == 2
    assert {t.reason for t in throttles} == {"ReservedFunctionConcurrentInvocationLimitExceeded"}
    assert throttles[0].code == "TooManyRequestsException" and throttles[0].status == 429
    assert stats.throttles == 2 and stats.reserved_concurrency == 2
    assert [e.reason for e in events.of(Throttled)] == ["ReservedFunctionConcurrentInvocationLimitExceeded"] * 2


async def test_zero_reserved_concurrency_throttles_everything_until_removed(tmp_path: Path) -> None:
    async with Engine(_project(tmp_path)) as engine:
        await engine.put_function_concurrency("Fn", 0)
        with pytest.raises(TooManyRequestsError) as caught:
            await engine.invoke("Fn")
        assert caught.value.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
        with pytest.raises(InvalidParameterValueError, match="UnreservedConcurrentExecution below"):
            await engine.put_function_concurrency("Fn", 901)
        await engine.delete_function_concurrency("Fn")
        assert (await engine.invoke("Fn")).function_error is None


async def test_account_concurrency_limit(tmp_path: Path) -> None:
    settings = EngineSettings(account_concurrency=2, unreserved_min=0)
    async with Engine(_project(tmp_path), settings=settings) as engine:
        results = await asyncio.gather(*(engine.invoke("Fn", b'{"sleep": 0.5}') for _ in range(3)),
                                       return_exceptions=True)
    reasons = [r.reason for r in results if isinstance(r, TooManyRequestsError)]
    assert reasons == ["ConcurrentInvocationLimitExceeded"]


async def test_scaling_rate_limits_new_environments_in_virtual_time(tmp_path: Path) -> None:
    clock = FakeClock()
    settings = EngineSettings(scaling_environments=2, scaling_window_s=10.0)
    async with Engine(_project(tmp_path), clock=clock, settings=settings) as engine:
        busy = EventLog()
        engine.subscribe(busy)
        first = [asyncio.create_task(engine.invoke("Fn", b'{"sleep": 1}')) for _ in range(2)]
        await wait_until(lambda: not (len(busy.of(EnvironmentBusy)) < 2))
        with pytest.raises(TooManyRequestsError) as caught:
            await engine.invoke("Fn", b'{"sleep": 1}')
        assert caught.value.reason == "ConcurrentInvocationLimitExceeded"
        await clock.advance(5.0)      # half a window refills one environment
        third = asyncio.create_task(engine.invoke("Fn", b'{"sleep": 1}'))
        await wait_until(lambda: not (len(busy.of(EnvironmentBusy)) < 3))
        with pytest.raises(TooManyRequestsError):
            await engine.invoke("Fn", b'{"sleep": 1}')
        await clock.advance(30.0)     # function timeouts are on the fake clock too: let the sleepers finish
        await asyncio.gather(*first, third, return_exceptions=True)


PROVISIONED = {"AutoPublishAlias": "live", "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 2}}


async def test_provisioned_environments_are_ready_before_the_first_request(tmp_path: Path) -> None:
    events = EventLog()
    engine = Engine(_project(tmp_path, **PROVISIONED))
    engine.subscribe(events)
    async with engine:
        stats = engine.statistics().function("Fn")
        assert [e.init_type for e in stats.environments] == [InitType.PROVISIONED] * 2
        assert all(e.provisioned_for == "live" for e in stats.environments)
        assert [c.status for c in engine.provisioned_concurrency("Fn")] == ["READY"]
        result = await engine.invoke("Fn", qualifier="live")
        latest = await engine.invoke("Fn")
    statuses = [e.status for e in events.of(ProvisionedConcurrencyChanged)]
    assert statuses[0] == "IN_PROGRESS" and statuses[-1] == "READY"
    assert not result.cold_start and result.executed_version == "1"
    assert result.json()["init"] == "provisioned-concurrency" and result.json()["version"] == "1"
    assert "Init Duration" not in result.log_tail
    assert latest.cold_start and latest.json()["init"] == "on-demand" and latest.executed_version == "$LATEST"


async def test_requests_spill_over_to_on_demand_when_provisioned_are_busy(tmp_path: Path) -> None:
    async with Engine(_project(tmp_path, **PROVISIONED)) as engine:
        results = await asyncio.gather(*(engine.invoke("Fn:live", b'{"sleep": 0.5}') for _ in range(3)))
        stats = engine.statistics().function("Fn")
    kinds = sorted(r.json()["init"] for r in results)
    assert kinds == ["on-demand", "provisioned-concurrency", "provisioned-concurrency"]
    assert sum(r.cold_start for r in results) == 1 and stats.spillovers == 1
    assert {r.executed_version for r in results} == {"1"}


async def test_provisioned_equal_to_reserved_throttles_latest(tmp_path: Path) -> None:
    project = _project(tmp_path, ReservedConcurrentExecutions=2, **PROVISIONED)
    async with Engine(project) as engine:
        assert (await engine.invoke("Fn:live")).function_error is None
        with pytest.raises(TooManyRequestsError) as caught:
            await engine.invoke("Fn")
    assert caught.value.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"


async def test_changing_provisioned_concurrency_starts_and_stops_environments(tmp_path: Path) -> None:
    async with Engine(_project(tmp_path)) as engine:
        version = await engine.publish_version("Fn")
        await engine.put_provisioned_concurrency("Fn", version.version, 3)
        await engine.wait_provisioned_ready()
        assert sum(e.init_type is InitType.PROVISIONED for e in engine.statistics().function("Fn").environments) == 3
        await engine.put_provisioned_concurrency("Fn", version.version, 1)
        await wait_until(lambda: sum(e.init_type is InitType.PROVISIONED
                                     for e in engine.statistics().function("Fn").environments) == 1)
        await engine.delete_provisioned_concurrency("Fn", version.version)
        await wait_until(lambda: engine.statistics().function("Fn").environments == ())
        with pytest.raises(InvalidParameterValueError, match="unpublished"):
            await engine.put_provisioned_concurrency("Fn", "$LATEST", 1)


async def test_provisioned_autoscaling_scales_out_under_load(tmp_path: Path) -> None:
    clock = FakeClock()
    async with Engine(_project(tmp_path, **PROVISIONED), clock=clock) as engine:
        from workbench.engine.concurrency.autoscaling import AutoscalingPolicy

        await engine.put_provisioned_autoscaling("Fn", "live", AutoscalingPolicy(
            0.5, 2, 6, scale_out_cooldown_s=0, scale_in_cooldown_s=0, evaluation_period_s=5))
        busy = EventLog()
        engine.subscribe(busy)
        load = [asyncio.create_task(engine.invoke("Fn:live", b'{"sleep": 2}')) for _ in range(2)]
        await wait_until(lambda: not (len(busy.of(EnvironmentBusy)) < 2))
        for _ in range(5):
            await clock.advance(1)
        await engine.wait_provisioned_ready()
        assert engine.provisioned_concurrency("Fn", "live")[0].requested == 4
        await asyncio.gather(*load)
        for _ in range(5):
            await clock.advance(1)
        assert engine.provisioned_concurrency("Fn", "live")[0].requested == 2


async def test_run_load_reports_what_happened(tmp_path: Path) -> None:
    async with Engine(_project(tmp_path, ReservedConcurrentExecutions=3)) as engine:
        closed = await run_load(engine, "Fn", requests=40, concurrency=3, payload=b'{"sleep": 0.01}')
        opened = await run_load(engine, "Fn", rate=50, duration_s=0.4, payload=b'{"sleep": 0.3}')
    assert (closed.requests, closed.succeeded, closed.failed, closed.throttled) == (40, 40, 0, 0)
    assert closed.cold_starts == 3 and closed.peak_environments == 3 and closed.p50_ms > 0
    assert opened.requests == 20 and opened.succeeded + opened.throttled == 20
    assert opened.throttled > 0 and opened.cold_starts == 0 and opened.peak_environments == 3
