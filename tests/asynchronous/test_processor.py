"""One processor per project: a second engine on the same project accepts events into the store but does not
run them (nor take up the events the first one is running); the first runs what the second accepted; the lease
passes on when its holder closes, goes stale, or its process is gone. Real SQLite stores and real runtime
processes; the lease's time is virtual (FakeClock)."""

from __future__ import annotations

import functools
import socket
import subprocess
import sys
from pathlib import Path

from tests.helpers import make_project, wait_until
from workbench.engine import Engine, EngineSettings, FakeClock, QueuedEvent, open_readonly, query_events
from workbench.engine.asynchronous.lease import ProcessorLease
from workbench.engine.store.database import Database

APP = """
def handler(event, context):
    return {"n": event.get("n")}
"""


until = functools.partial(wait_until, timeout=30.0, interval=0.01)  # in real time: the runtime processes are real


def _events(state_dir: Path) -> list[QueuedEvent]:
    with open_readonly(state_dir / "state.db") as connection:
        return query_events(connection, "Fn")


async def test_the_lease_is_taken_over_only_when_stale_or_released(tmp_path: Path) -> None:
    clock = FakeClock()
    first_db, second_db = Database(tmp_path / "state.db"), Database(tmp_path / "state.db")
    await first_db.open()
    await second_db.open()
    try:
        first, second = ProcessorLease(first_db, clock, 10.0), ProcessorLease(second_db, clock, 10.0)
        assert await first.acquire() and first.held
        assert not await second.acquire()
        assert second.holder is not None and second.holder.owner == first.owner
        await clock.advance(9)
        assert await first.renew()                    # the heartbeat keeps it
        await clock.advance(9)
        assert not await second.acquire()
        await clock.advance(2)                        # 11 s since the last heartbeat: stale
        assert await second.acquire() and second.held
        assert not await first.renew() and not first.held      # the old holder finds out at its next beat
        assert not await first.acquire()
        await second.release()
        assert await first.acquire()
    finally:
        await first_db.close()
        await second_db.close()


async def test_a_dead_holder_of_this_machine_is_replaced_at_once(tmp_path: Path) -> None:
    clock = FakeClock()
    database = Database(tmp_path / "state.db")
    await database.open()
    try:
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        now = clock.time()
        await database.transaction([(
            "INSERT INTO async_processor (id, owner, host, pid, acquired, heartbeat) VALUES (1, ?, ?, ?, ?, ?)",
            ("killed", socket.gethostname(), gone.pid, now, now))])
        lease = ProcessorLease(database, clock, 10.0)
        assert await lease.acquire()                  # heartbeat fresh, but its process is gone
        await database.transaction([(
            "UPDATE async_processor SET owner = 'elsewhere', host = 'another-machine', heartbeat = ?", (now,))])
        assert not await lease.renew()
        assert not await lease.acquire()              # another machine's process: only staleness counts
    finally:
        await database.close()


async def test_a_second_engine_accepts_and_the_first_runs(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"}},
                           {"src/app.py": APP})
    state_dir = tmp_path / ".workbench"
    clock = FakeClock()
    settings = EngineSettings(async_lease_s=3.0, async_poll_s=0.5)
    first = Engine(project, clock=clock, settings=settings)
    second = Engine(project, clock=clock, settings=settings)
    await first.start()
    try:
        await first.invoke_async("Fn", b'{"n": 1}')
        await second.start()
        assert first.async_queue.processing and not second.async_queue.processing
        assert second.async_queue.processor is not None
        assert second.async_queue.processor.owner == first.async_queue.processor.owner  # type: ignore[union-attr]
        request_id = await second.invoke_async("Fn", b'{"n": 2}')
        assert second.async_queue.pending() == 0      # accepted into the store, not run here
        await clock.advance(0.5)                      # the processor's next look at the store
        await until(lambda: first.statistics().function("Fn").asynchronous.succeeded == 2)
        stats = first.statistics().function("Fn").asynchronous
        assert stats.received == 2 and stats.event_age_samples == 2
        assert second.statistics().function("Fn").invocations == 0
        ran = {e.request_id: e for e in _events(state_dir)}
        assert ran[request_id].state == "succeeded" and len(ran[request_id].history) == 1
    finally:
        await first.close()
    try:
        await clock.advance(1.0)                      # the second engine's next try: the lease was given back
        await until(lambda: second.async_queue.processing)
        await second.invoke_async("Fn", b'{"n": 3}')
        await until(lambda: second.statistics().function("Fn").asynchronous.succeeded == 1)
    finally:
        await second.close()
    events = _events(state_dir)
    assert [e.state for e in events] == ["succeeded"] * 3
    assert all(len(e.history) == 1 for e in events)   # each ran once
