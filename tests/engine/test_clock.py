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


async def test_lazy_timer_fires_at_the_deadline_in_force_and_not_after_a_clear() -> None:
    from workbench.engine.core.clock import LazyTimer

    clock = FakeClock()
    start = clock.monotonic()
    fired: list[float] = []
    timer = LazyTimer(clock, lambda: fired.append(clock.monotonic()))
    timer.set(start + 1)
    timer.set(start + 3)          # later: the first timer stays and re-arms when it fires
    await clock.advance(2)
    assert fired == []
    await clock.advance(1)
    assert fired == [start + 3] and timer.deadline is None
    timer.set(start + 5)
    timer.clear()                 # cleared: its timer fires and does nothing
    await clock.advance(3)
    assert fired == [start + 3]
    timer.set(start + 10)
    timer.set(start + 7)          # earlier: re-armed for the earlier one
    await clock.advance(1)
    assert fired == [start + 3, start + 7]
    timer.set(start + 8)
    timer.cancel()
    await clock.advance(5)
    assert fired == [start + 3, start + 7]
