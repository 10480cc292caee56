"""A snapshot of one function's asynchronous queue, part of `FunctionStatistics`, and the counters behind it.

The counters are the metrics AWS emits for asynchronous invocation (CloudWatch, namespace AWS/Lambda), counted
since the engine started: `AsyncEventsReceived`, `AsyncEventAge`, `AsyncEventsDropped`, `DeadLetterErrors` and
`DestinationDeliveryFailures` (`AsyncQueueStatistics.metrics` names them so).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class AsyncCounters:
    """What one function's queue has done since the engine started (mutable; `snapshot` freezes it)."""

    received: int = 0
    retries: int = 0
    succeeded: int = 0
    failed: int = 0
    expired: int = 0
    dropped: int = 0               # every event that ended without a successful run (AWS's AsyncEventsDropped)
    backlog_dropped: int = 0       # of which: never run because the queue was over its bound
    dead_lettered: int = 0
    dead_letter_errors: int = 0
    destination_deliveries: int = 0
    destination_delivery_failures: int = 0
    age_samples: int = 0
    age_total_s: float = 0.0
    age_max_s: float = 0.0
    age_last_s: float = 0.0

    def invoked(self, age_s: float) -> None:
        """An attempt invoked the function ``age_s`` seconds after its event was queued (AsyncEventAge)."""
        self.age_samples += 1
        self.age_total_s += age_s
        self.age_max_s = max(self.age_max_s, age_s)
        self.age_last_s = age_s


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
    received: int = 0              # AsyncEventsReceived: accepted (202) here, or taken from another engine
    dropped: int = 0               # AsyncEventsDropped: ended without a successful run (failed, expired, backlog)
    backlog_dropped: int = 0       # of `dropped`: never run, the queue being over `async_max_backlog`
    dead_letter_errors: int = 0    # DeadLetterErrors: deliveries to the dead-letter queue that failed
    destination_deliveries: int = 0
    destination_delivery_failures: int = 0   # DestinationDeliveryFailures
    event_age_samples: int = 0     # AsyncEventAge: queued-to-invoked time of every attempt that ran
    event_age_mean_s: float = 0.0
    event_age_max_s: float = 0.0
    event_age_last_s: float = 0.0

    @property
    def depth(self) -> int:
        return self.queued + self.running + self.waiting

    @property
    def delivery_failures(self) -> int:
        """Dead-letter and destination deliveries that failed."""
        return self.dead_letter_errors + self.destination_delivery_failures

    def metrics(self) -> dict[str, float]:
        """The figures under AWS's metric names (AsyncEventAge as its mean, in milliseconds as AWS reports it)."""
        return {"AsyncEventsReceived": self.received, "AsyncEventAge": self.event_age_mean_s * 1000,
                "AsyncEventsDropped": self.dropped, "DeadLetterErrors": self.dead_letter_errors,
                "DestinationDeliveryFailures": self.destination_delivery_failures}

    @classmethod
    def of(cls, counters: AsyncCounters, *, queued: int, running: int, waiting: int,
           oldest_age_s: float) -> AsyncQueueStatistics:
        return cls(queued, running, waiting, oldest_age_s, counters.retries, counters.succeeded, counters.failed,
                   counters.expired, counters.dead_lettered, counters.received, counters.dropped,
                   counters.backlog_dropped, counters.dead_letter_errors, counters.destination_deliveries,
                   counters.destination_delivery_failures, counters.age_samples,
                   counters.age_total_s / counters.age_samples if counters.age_samples else 0.0,
                   counters.age_max_s, counters.age_last_s)
