"""A snapshot of one function's asynchronous queue, part of `FunctionStatistics`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AsyncQueueStatistics:
    queued: int = 0
    running: int = 0
    waiting: int = 0               # waiting for a retry
    oldest_age_s: float = 0.0      # of the events not finished
    retries: int = 0               # retries scheduled since the engine started
    succeeded: int = 0
    failed: int = 0
    expired: int = 0
    dead_lettered: int = 0
    delivery_failures: int = 0

    @property
    def depth(self) -> int:
        return self.queued + self.running + self.waiting
