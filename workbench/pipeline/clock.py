"""A clock that runs faster than real time, so a classroom can watch a 5-minute canary in 30 seconds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.engine import Clock, TimerHandle


class ScaledClock(Clock):
    """``base`` sped up by ``factor``: waits take 1/factor of their length; readings advance factor times as
    fast from the moment the clock was made."""

    def __init__(self, base: Clock, factor: float) -> None:
        if factor <= 0:
            raise ValueError("the speed-up must be positive")
        self.base = base
        self.factor = factor
        self._origin_monotonic = base.monotonic()
        self._origin_time = base.time()

    def monotonic(self) -> float:
        return self._origin_monotonic + (self.base.monotonic() - self._origin_monotonic) * self.factor

    def time(self) -> float:
        return self._origin_time + (self.base.time() - self._origin_time) * self.factor

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> TimerHandle:
        return self.base.call_later(delay / self.factor, callback, *args)

    async def sleep(self, seconds: float) -> None:
        await self.base.sleep(seconds / self.factor)
