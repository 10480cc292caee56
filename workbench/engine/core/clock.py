"""Injectable time. Everything in the engine that waits or stamps goes through a `Clock`, so scaling,
retry and idle-timeout rules can be tested in virtual time (`FakeClock`) and finish in milliseconds."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, Protocol


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class Clock(ABC):
    @abstractmethod
    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; for durations and scheduling."""

    @abstractmethod
    def time(self) -> float:
        """Seconds since the Unix epoch; for timestamps users see (log lines, deadlines)."""

    @abstractmethod
    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> TimerHandle:
        """Run ``callback(*args)`` after ``delay`` seconds on this clock."""

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        handle = self.call_later(seconds, _set_result_if_pending, future)
        try:
            await future
        finally:
            handle.cancel()


def _set_result_if_pending(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class RealClock(Clock):
    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> TimerHandle:
        return asyncio.get_running_loop().call_later(delay, callback, *args)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _FakeTimer:
    __slots__ = ("args", "callback", "cancelled", "when")

    def __init__(self, when: float, callback: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.when = when
        self.callback = callback
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeClock(Clock):
    """Virtual time that only moves when a test calls `advance`. Timers fire in order, and after each
    one the event loop gets a few turns so that woken tasks can schedule their next timers."""

    def __init__(self, start_monotonic: float = 1000.0, start_time: float = 1_767_225_600.0) -> None:
        self._now = start_monotonic
        self._epoch_offset = start_time - start_monotonic
        self._timers: list[tuple[float, int, _FakeTimer]] = []
        self._sequence = itertools.count()

    def monotonic(self) -> float:
        return self._now

    def time(self) -> float:
        return self._now + self._epoch_offset

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> TimerHandle:
        timer = _FakeTimer(self._now + max(0.0, delay), callback, args)
        heapq.heappush(self._timers, (timer.when, next(self._sequence), timer))
        return timer

    async def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, firing every timer that falls due on the way."""
        target = self._now + seconds
        await _settle()
        while self._timers and self._timers[0][0] <= target:
            when, _, timer = heapq.heappop(self._timers)
            if timer.cancelled:
                continue
            self._now = max(self._now, when)
            timer.callback(*timer.args)
            await _settle()
        self._now = target
        await _settle()


async def _settle(turns: int = 8) -> None:
    for _ in range(turns):
        await asyncio.sleep(0)


class LazyTimer:
    """A callback at a deadline that is set and cleared far more often than it fires: an invocation's
    timeout, an idle environment's freeze.

    A timer per deadline costs an event-loop heap entry to create and another to cancel, several times per
    invocation under load. This one keeps its timer when the deadline moves later (when that timer fires
    early it re-arms for the deadline now in force) and when the deadline is cleared (it then fires and does
    nothing), so it costs a timer only about once per deadline's length, not once per deadline.
    """

    __slots__ = ("_callback", "_clock", "_deadline", "_handle", "_handle_at")

    def __init__(self, clock: Clock, callback: Callable[[], object]) -> None:
        self._clock = clock
        self._callback = callback
        self._deadline: float | None = None
        self._handle: TimerHandle | None = None
        self._handle_at = 0.0

    @property
    def deadline(self) -> float | None:
        """When the callback will run (monotonic seconds), or None."""
        return self._deadline

    def set(self, deadline: float) -> None:
        """Run the callback at ``deadline`` (on the clock's monotonic scale) unless set or cleared before."""
        self._deadline = deadline
        if self._handle is not None:
            if self._handle_at <= deadline:
                return
            self._handle.cancel()
        self._arm(deadline)

    def clear(self) -> None:
        """Do not run the callback (until set again)."""
        self._deadline = None

    def cancel(self) -> None:
        """Clear, and give the timer back to the loop now (the owner is going away)."""
        self._deadline = None
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _arm(self, at: float) -> None:
        self._handle_at = at
        self._handle = self._clock.call_later(max(0.0, at - self._clock.monotonic()), self._fire)

    def _fire(self) -> None:
        self._handle = None
        deadline = self._deadline
        if deadline is None:
            return
        if self._clock.monotonic() < deadline:
            self._arm(deadline)
            return
        self._deadline = None
        self._callback()
