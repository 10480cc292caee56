from __future__ import annotations

import asyncio

from workbench.engine.core.clock import FakeClock


async def test_fake_clock_fires_timers_in_order_and_wakes_sleepers() -> None:
    clock = FakeClock()
    fired: list[str] = []
    clock.call_later(5, fired.append, "five")
    clock.call_later(1, fired.append, "one")
    cancelled = clock.call_later(2, fired.append, "cancelled")
    cancelled.cancel()

    async def sleeper() -> float:
        await clock.sleep(3)
        return clock.monotonic()

    task = asyncio.create_task(sleeper())
    start = clock.monotonic()
    await clock.advance(4)
    assert fired == ["one"]
    assert task.done() and task.result() == start + 3
    await clock.advance(1)
    assert fired == ["one", "five"]
    assert clock.monotonic() == start + 5
    assert clock.time() - clock.monotonic() == FakeClock().time() - FakeClock().monotonic()
