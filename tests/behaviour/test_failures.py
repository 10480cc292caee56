"""Timeouts, crashes and memory limits: the platform's own errors, and the reset that follows them."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from tests.helpers import EventLog, make_project
from workbench.engine.core.clock import FakeClock
from workbench.engine.facade import Engine
from workbench.engine.observation.events import EnvironmentBusy, InvocationFinished, LogLine, TraceRecorded
from workbench.model.project import Project

SLEEPY = """
    import os, time
    calls = 0
    def handler(event, context):
        global calls
        calls += 1
        time.sleep(event.get("sleep", 0))
        if event.get("exit") is not None:
            os._exit(event["exit"])
        if event.get("allocate_mb"):
            hold = bytearray(event["allocate_mb"] * 1024 * 1024)
            for i in range(0, len(hold), 4096):
                hold[i] = 1
            time.sleep(event.get("hold", 0))
        return {"calls": calls, "pid": os.getpid()}
"""


def _project(tmp_path: Path, **props: object) -> Project:
    return make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                          **props}}, {"src/app.py": SLEEPY})


async def test_timeout_in_virtual_time_kills_and_reports(tmp_path: Path, backend: str) -> None:
    clock = FakeClock()
    events = EventLog()
    engine = Engine(_project(tmp_path, Timeout=2), backend=backend, clock=clock)
    async with engine:
        engine.subscribe(events)
        await engine.invoke("Fn", b"{}")
        busy = asyncio.Event()
        engine.subscribe(lambda e: busy.set() if isinstance(e, EnvironmentBusy) else None)
        task = asyncio.create_task(engine.invoke("Fn", b'{"sleep": 30}'))
        await busy.wait()
        await asyncio.sleep(0.2)
        await clock.advance(2.0)
        result = await asyncio.wait_for(task, 10)
        after = await engine.invoke("Fn", b"{}")
    rid = result.request_id
    assert result.function_error == "Unhandled"
    assert result.json() == {"errorType": "Sandbox.Timedout",
                             "errorMessage": f"RequestId: {rid} Error: Task timed out after 2.00 seconds"}
    lines = [e.message for e in events.of(LogLine) if e.request_id == rid]
    assert any(re.fullmatch(rf"\d{{4}}-\d\d-\d\dT[\d:.]+Z {rid} Task timed out after 2\.00 seconds", m) for m in lines)
    report = next(m for m in lines if m.startswith("REPORT"))
    assert "\tDuration: 2000.00 ms\tBilled Duration: 2000 ms\t" in report
    assert report.endswith("Status: timeout")
    # The environment was reset: the next request re-runs init inside the same environment (Phase: invoke).
    assert after.json()["calls"] == 1
    assert not after.cold_start
    assert any(m.startswith("INIT_REPORT") and "Phase: invoke" in m for m in (e.message for e in events.of(LogLine)))
    after_report = next(e.message for e in events.of(LogLine)
                    if e.request_id == after.request_id and e.message.startswith("REPORT"))
    assert "Init Duration" not in after_report
    streams = {e.log_stream for e in events.of(LogLine)}
    assert len(streams) == 1


async def test_timeout_on_the_real_clock(tmp_path: Path, backend: str) -> None:
    engine = Engine(_project(tmp_path, Timeout=1), backend=backend)
    async with engine:
        loop = asyncio.get_running_loop()
        started = loop.time()
        result = await engine.invoke("Fn", b'{"sleep": 20}')
        elapsed = loop.time() - started
    assert result.json()["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in result.json()["errorMessage"]
    assert elapsed < 5


async def test_crash_is_runtime_exit_error_and_environment_recovers(tmp_path: Path, backend: str) -> None:
    events = EventLog()
    engine = Engine(_project(tmp_path), backend=backend)
    async with engine:
        engine.subscribe(events)
        first = await engine.invoke("Fn", b"{}")
        crashed = await engine.invoke("Fn", b'{"exit": 3}')
        recovered = await engine.invoke("Fn", b"{}")
        stats = engine.statistics()
    rid = crashed.request_id
    assert crashed.function_error == "Unhandled"
    assert crashed.json() == {"errorType": "Runtime.ExitError",
                              "errorMessage": f"RequestId: {rid} Error: Runtime exited with error: exit status 3"}
    report = next(e.message for e in events.of(LogLine) if e.request_id == rid and e.message.startswith("REPORT"))
    assert report.endswith("Status: error\tError Type: Runtime.ExitError")
    assert recovered.json()["calls"] == 1
    if not getattr(engine.backend, "sandboxed", False):  # in a PID namespace the new runtime has the same pid
        assert recovered.json()["pid"] != first.json()["pid"]
    assert len(stats.function("Fn").environments) == 1
    statuses = [e.record.status for e in events.of(InvocationFinished)]
    assert statuses == ["success", "crash", "success"]


async def test_memory_limit_kills_the_environment(tmp_path: Path, backend: str) -> None:
    events = EventLog()
    engine = Engine(_project(tmp_path, MemorySize=128, Timeout=20), backend=backend)
    async with engine:
        engine.subscribe(events)
        fine = await engine.invoke("Fn", b'{"allocate_mb": 40}')
        result = await engine.invoke("Fn", b'{"allocate_mb": 400, "hold": 5}')
    assert fine.function_error is None
    assert fine.record is not None and 40 <= fine.record.max_memory_used_mb < 128
    assert result.function_error == "Unhandled"
    body = result.json()
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"] == f"RequestId: {result.request_id} Error: Runtime exited with error: signal: killed"
    report = next(e.message for e in events.of(LogLine)
              if e.request_id == result.request_id and e.message.startswith("REPORT"))
    assert "\tMax Memory Used: 128 MB\t" in report
    assert report.endswith("Status: error\tError Type: Runtime.OutOfMemory")


async def test_memory_peak_above_limit_is_caught_even_when_brief(tmp_path: Path, backend: str) -> None:
    engine = Engine(_project(tmp_path, MemorySize=128), backend=backend)
    async with engine:
        result = await engine.invoke("Fn", b'{"allocate_mb": 300}')
    assert result.json()["errorType"] == "Runtime.ExitError"


async def test_traces_have_initialization_invocation_and_overhead(tmp_path: Path, backend: str) -> None:
    events = EventLog()
    engine = Engine(_project(tmp_path), backend=backend)
    async with engine:
        engine.subscribe(events)
        cold = await engine.invoke("Fn", b'{"sleep": 0.05}')
        warm = await engine.invoke("Fn", b"{}")
        await asyncio.sleep(0.2)
        stored = await engine.traces("Fn")
    traces = {e.trace.request_id: e.trace for e in events.of(TraceRecorded)}
    cold_trace, warm_trace = traces[cold.request_id], traces[warm.request_id]
    assert cold_trace.cold_start and cold_trace.initialization is not None
    assert cold_trace.initialization.end <= cold_trace.invocation.start
    assert cold_trace.invocation.duration_ms >= 50
    assert cold_trace.overhead is not None and cold_trace.overhead.start >= cold_trace.invocation.end
    assert not warm_trace.cold_start and warm_trace.initialization is None
    assert cold.record is not None and cold.record.init_duration_ms is not None
    assert abs(cold_trace.initialization.duration_ms - cold.record.init_duration_ms) < 0.01
    assert [t.request_id for t in stored] == [cold.request_id, warm.request_id]
