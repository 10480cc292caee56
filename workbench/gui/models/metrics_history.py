"""The numbers of the Monitor tab, per second and per function (qualifier as the version that ran), like the
console's one-minute metrics but finer: invocations, duration p50/p99, errors and success rate, throttles,
concurrent executions, provisioned utilisation and spill-over, the iterator age of stream triggers, and the
asynchronous queue's events received, event age, events dropped and failed deliveries (dead-letter queue and
destinations).

Fed from the bridge (finished invocations and throttles as events, the rest from statistics snapshots); pure
Python, so it is tested without widgets and exported to CSV as it is drawn.
"""

from __future__ import annotations

import csv
import io
import math
from collections import deque
from dataclasses import dataclass, field

from workbench.engine import (
    AsyncDeliveryFailed,
    AsyncEventDiscarded,
    AsyncEventQueued,
    AsyncInvocationEvent,
    EngineStatistics,
    EnvState,
    InvocationRecord,
    percentile,
)

ALL = "All functions"
#: Seconds kept: ten minutes of one-second buckets.
KEPT_S = 600


@dataclass(slots=True)
class Bucket:
    second: int
    invocations: int = 0
    errors: int = 0
    throttles: int = 0
    durations: list[float] = field(default_factory=list)
    concurrent: int = 0
    provisioned: int = 0
    provisioned_busy: int = 0
    spillovers: int = 0
    iterator_age_ms: float = math.nan
    async_received: int = 0
    async_age_ms: float = math.nan
    async_dropped: int = 0
    delivery_failures: int = 0

    @property
    def success_rate(self) -> float:
        return math.nan if not self.invocations else 100.0 * (self.invocations - self.errors) / self.invocations

    def duration(self, fraction: float) -> float:
        return percentile(self.durations, fraction)

    @property
    def provisioned_utilisation(self) -> float:
        return math.nan if not self.provisioned else 100.0 * self.provisioned_busy / self.provisioned


#: (name, unit, how a bucket gives it): the charts, top to bottom, and the CSV's columns.
METRICS: tuple[tuple[str, str, str], ...] = (
    ("Invocations", "count", "invocations"),
    ("Duration p50", "ms", "p50"),
    ("Duration p99", "ms", "p99"),
    ("Errors", "count", "errors"),
    ("Success rate", "%", "success_rate"),
    ("Throttles", "count", "throttles"),
    ("Concurrent executions", "count", "concurrent"),
    ("Provisioned utilisation", "%", "provisioned_utilisation"),
    ("Spill-over invocations", "count", "spillovers"),
    ("Iterator age", "ms", "iterator_age_ms"),
    ("Async events received", "count", "async_received"),
    ("Async event age", "ms", "async_age_ms"),
    ("Async events dropped", "count", "async_dropped"),
    ("Failed deliveries", "count", "delivery_failures"),   # to the dead-letter queue or a destination
)


def value(bucket: Bucket, key: str) -> float:
    if key == "p50":
        return bucket.duration(0.5)
    if key == "p99":
        return bucket.duration(0.99)
    return float(getattr(bucket, key))


class MetricsHistory:
    def __init__(self) -> None:
        self._series: dict[str, deque[Bucket]] = {}
        self._spillovers_seen: dict[str, int] = {}

    def functions(self) -> list[str]:
        return sorted(name for name in self._series if name != ALL)

    def _bucket(self, function: str, second: int) -> Bucket:
        series = self._series.setdefault(function, deque())
        if series and series[-1].second == second:
            return series[-1]
        if series and series[-1].second > second:   # a late event: find its second, or drop it
            for bucket in reversed(series):
                if bucket.second == second:
                    return bucket
            return Bucket(second)
        bucket = Bucket(second)
        series.append(bucket)
        while series and series[0].second < second - KEPT_S:
            series.popleft()
        return bucket

    def add_invocation(self, record: InvocationRecord, finished_at: float) -> None:
        for name in (record.function, ALL):
            bucket = self._bucket(name, int(finished_at))
            bucket.invocations += 1
            bucket.durations.append(record.duration_ms)
            bucket.errors += record.status != "success"

    def add_throttle(self, function: str, at: float) -> None:
        for name in (function, ALL):
            self._bucket(name, int(at)).throttles += 1

    def add_async(self, event: AsyncInvocationEvent) -> None:
        """Received (queued), dropped (discarded: retries exhausted, too old, ...), and failed deliveries."""
        for name in (event.function, ALL):
            bucket = self._bucket(name, int(event.timestamp))
            if isinstance(event, AsyncEventQueued):
                bucket.async_received += 1
            elif isinstance(event, AsyncEventDiscarded):
                bucket.async_dropped += 1
            elif isinstance(event, AsyncDeliveryFailed):
                bucket.delivery_failures += 1

    def add_statistics(self, statistics: EngineStatistics) -> None:
        second = int(statistics.timestamp)
        total = self._bucket(ALL, second)
        total.concurrent = total.provisioned = total.provisioned_busy = 0
        for function in statistics.functions:
            bucket = self._bucket(function.name, second)
            bucket.concurrent = max(bucket.concurrent, function.concurrent_executions)
            bucket.provisioned = function.provisioned_concurrency
            busy = sum(1 for env in function.environments if env.provisioned_for and env.state == EnvState.BUSY)
            bucket.provisioned_busy = max(bucket.provisioned_busy, busy)
            spilled = function.spillovers - self._spillovers_seen.get(function.name, function.spillovers)
            self._spillovers_seen[function.name] = function.spillovers
            bucket.spillovers += max(0, spilled)
            total.concurrent += function.concurrent_executions
            total.provisioned += function.provisioned_concurrency
            total.provisioned_busy += busy
            total.spillovers += max(0, spilled)
            queue = function.asynchronous
            if queue.depth:   # the age of the oldest event still waiting or running, like AsyncEventAge's maximum
                age = queue.oldest_age_s * 1000
                for target in (bucket, total):
                    target.async_age_ms = age if math.isnan(target.async_age_ms) else max(target.async_age_ms, age)
        for mapping in statistics.event_source_mappings:
            if mapping.iterator_age_s is not None:
                for name in (mapping.function, ALL):
                    bucket = self._bucket(name, second)
                    age = mapping.iterator_age_s * 1000
                    bucket.iterator_age_ms = age if math.isnan(bucket.iterator_age_ms) else max(
                        bucket.iterator_age_ms, age)

    def buckets(self, function: str, since: int) -> list[Bucket]:
        return [bucket for bucket in self._series.get(function, ()) if bucket.second >= since]

    def to_csv(self, function: str, since: int = 0) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["time", *(f"{name} ({unit})" for name, unit, _key in METRICS)])
        for bucket in self.buckets(function, since):
            row = [value(bucket, key) for _name, _unit, key in METRICS]
            writer.writerow([bucket.second, *("" if math.isnan(v) else f"{v:g}" for v in row)])
        return out.getvalue()
