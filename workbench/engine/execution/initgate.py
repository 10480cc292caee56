"""A bound on how many environments initialise at once on this machine.

Lambda starts an environment for every request that finds none idle. On a laptop, hundreds of runtimes
starting together slow each other down, which makes every init slower, which makes more requests find no
idle environment: the burst feeds itself. The gate lets only so many initialisations run at once; a request
beyond that waits for whichever comes first — a free init slot, or an environment of its version becoming
idle (handed over directly, so it runs warm). `max_parallel_inits = 0` removes the bound (pure Lambda).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class InitGate(Generic[T]):
    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.in_use = 0
        self._queue: deque[asyncio.Future[T | None]] = deque()

    def try_acquire(self) -> bool:
        if self.slots <= 0 or self.in_use < self.slots:
            self.in_use += 1
            return True
        return False

    def enqueue(self, future: asyncio.Future[T | None]) -> None:
        """``future`` resolves with None when a slot is handed to it."""
        self._queue.append(future)

    def release(self) -> None:
        """An initialisation finished: give its slot to the first request still waiting for one."""
        while self._queue:
            future = self._queue.popleft()
            if not future.done():
                future.set_result(None)
                return
        self.in_use -= 1


def hand_over(waiters: deque[asyncio.Future[T | None]], item: T) -> bool:
    """Give ``item`` to the first waiter still waiting; False when nobody was."""
    while waiters:
        future = waiters.popleft()
        if not future.done():
            future.set_result(item)
            return True
    return False
