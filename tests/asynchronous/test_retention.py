"""Retention: finished asynchronous events (and their attempts) are pruned after `async_retention_s` and beyond
the newest `async_retention_count` of each function; open ones never are; `workbench events` reads what is left."""

from __future__ import annotations

import asyncio
import functools
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.helpers import make_project, wait_until
from workbench.engine import Engine, EngineSettings, FakeClock, QueuedEvent, open_readonly, query_events
from workbench.engine.asynchronous.store import QueueStore
from workbench.engine.core.tasks import Supervisor
from workbench.engine.store.database import Database

APP = """
def handler(event, context):
    return event
"""


def _event(n: int, function: str, state: str, finished: float | None) -> QueuedEvent:
    event = QueuedEvent(f"r{n}", function, None, b"{}", 1000.0 + n, 1000.0 + n)
    event.state = state  # type: ignore[assignment]
    event.finished = finished
    event.history = [{"started": 1000.0 + n, "outcome": "success"}]
    return event


async def test_pruning_keeps_open_events_the_newest_and_the_recent(tmp_path: Path) -> None:
    database = Database(tmp_path / "state.db")
    await database.open()
    supervisor = Supervisor()
    try:
        store = QueueStore(database, supervisor)
        rows = [_event(1, "a", "queued", None), _event(2, "a", "retry-wait", None),
                _event(3, "a", "succeeded", 2000.0), _event(4, "a", "failed", 2100.0),
                _event(5, "a", "expired", 5000.0), _event(6, "a", "succeeded", 5100.0),
                _event(7, "b", "succeeded", 2000.0), _event(8, "b", "dropped", 5000.0),
                _event(9, "b", "succeeded", 2200.0)]
        for row in rows:
            await store.insert(row)
        # older than 3000 goes (3, 4, 7), except the newest row (9, kept so that rowids keep growing)
        assert await store.prune(3000.0, 100) == 3
        # then at most one finished event per function, the last finished: a keeps 6 (5 goes), b keeps 8, and
        # 9 (finished before 8) stays only as the newest row
        assert await store.prune(0.0, 1) == 1
        left = await database.run(lambda connection: [e.request_id for e in query_events(connection)])
        assert left == ["r1", "r2", "r6", "r8", "r9"]
    finally:
        await supervisor.close()
        await database.close()


until = functools.partial(wait_until, timeout=30.0, interval=0.01)  # in real time: the runtime processes are real


async def test_the_processor_prunes_as_time_goes_by_and_workbench_events_still_reads(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                             "FunctionName": "fn"}}, {"src/app.py": APP})
    clock = FakeClock()
    settings = EngineSettings(async_retention_s=3600, async_retention_count=3)
    async with Engine(project, clock=clock, settings=settings) as engine:
        for n in range(5):
            await engine.invoke_async("fn", json.dumps({"n": n}).encode())
        await until(lambda: engine.statistics().function("fn").asynchronous.succeeded == 5)
        start = clock.monotonic()
        await advance_until(clock, lambda: len(_stored(tmp_path)) == 3)   # the next pruning: the newest three
        assert clock.monotonic() - start >= 60
        assert [json.loads(e.payload)["n"] for e in _stored(tmp_path)] == [2, 3, 4]
        await clock.advance(3600)
        await advance_until(clock, lambda: len(_stored(tmp_path)) == 1)   # past their retention but the newest
    listed = subprocess.run([sys.executable, "-m", "workbench", "events", "fn", "--project", str(tmp_path),
                             "--json"], capture_output=True, text=True, timeout=60, check=True)
    documents = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(d["state"], json.loads(d["payload"])) for d in documents] == [("succeeded", {"n": 4})]
    assert len(documents[0]["history"]) == 1


async def advance_until(clock: FakeClock, condition: Callable[[], bool], step: float = 2.0) -> None:
    """Move virtual time on in steps (the queue's timers are re-armed as it goes) until ``condition``."""
    async with asyncio.timeout(30):
        while not condition():
            await clock.advance(step)
            await asyncio.sleep(0.01)


def _stored(root: Path) -> list[QueuedEvent]:
    with open_readonly(root / ".workbench" / "state.db") as connection:
        return query_events(connection, "fn")
