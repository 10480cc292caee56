from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.helpers import running, wait_until
from workbench.engine.observation.events import InvocationFinished, LogLine, TraceRecorded
from workbench.engine.observation.statistics import EngineStatistics
from workbench.gui.bridge import BATCH_INTERVAL_MS, EngineBridge, EventBatch
from workbench.model.project import Project


async def test_batches_are_coalesced_and_complete(project: Project, tmp_path: Path) -> None:
    del tmp_path
    bridge = EngineBridge()
    batches: list[EventBatch] = []
    snapshots: list[EngineStatistics] = []
    bridge.events.connect(batches.append)
    bridge.statistics.connect(snapshots.append)
    async with running(project) as engine:
        direct: list[object] = []
        engine.subscribe(direct.append)
        bridge.attach(engine)
        started = time.monotonic()
        for _ in range(3):
            await asyncio.gather(*(engine.invoke("greeter", b'{"name": "x"}') for _ in range(4)))
        # Traces are recorded when each runtime asks for its next event (the Overhead span ends then).
        await wait_until(lambda: sum(isinstance(e, TraceRecorded) for e in direct) == 12, message="12 traces")
        elapsed = time.monotonic() - started
        expected = list(direct)
        bridge.poll_statistics()  # the periodic poll, now, rather than waiting for its timer
        bridge.detach()
    delivered = [event for batch in batches for event in batch.events]
    assert delivered == expected, "every event, in order, exactly once"
    # coalesced: never more than one batch per interval (+1 for the flush on detach)
    assert len(batches) <= elapsed * 1000 / BATCH_INTERVAL_MS + 2
    assert len(batches) < len(delivered) / 3
    kinds = EventBatch()
    for event in delivered:
        kinds.add(event)
    assert len(kinds.finished) == 12 and all(isinstance(e, InvocationFinished) for e in kinds.finished)
    assert len(kinds.traces) == 12 and all(isinstance(e, TraceRecorded) for e in kinds.traces)
    assert all(isinstance(e, LogLine) for e in kinds.logs) and len(kinds.logs) >= 12 * 3
    assert snapshots and snapshots[-1].invocations == 12


async def test_detached_bridge_hears_nothing(project: Project) -> None:
    bridge = EngineBridge()
    batches: list[EventBatch] = []
    bridge.events.connect(batches.append)
    changes: list[object] = []
    bridge.engine_changed.connect(changes.append)
    async with running(project) as engine:
        bridge.attach(engine)
        bridge.detach()
        await engine.invoke("greeter", b"{}")
        bridge.flush()
    assert batches == []
    assert changes == [engine, None]
