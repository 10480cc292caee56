"""What the concurrency graph plots: a bounded history of per-function samples and markers.

Samples come from the bridge's statistics snapshots (environments by state, concurrent executions, the
reserved limit); markers from its event batches (throttles and cold starts, at the instant they happened,
so a throttle between two snapshots is never lost). Plain Python: the graph widget only paints it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from workbench.engine import EngineStatistics, EnvState, FunctionStatistics, InitType, InvocationStarted, Throttled

#: How much history is kept, whatever window is shown.
RETENTION_S = 600.0


@dataclass(frozen=True, slots=True)
class Counts:
    concurrent: int = 0
    initialising: int = 0
    busy: int = 0
    idle: int = 0            # idle or frozen: warm, waiting
    provisioned: int = 0     # provisioned-concurrency environments, whatever their state
    reserved: int | None = None
    provisioned_limit: int | None = None

    @property
    def environments(self) -> int:
        return self.initialising + self.busy + self.idle + self.provisioned

    def __add__(self, other: Counts) -> Counts:
        """The sum over functions; limits are per function, so a sum has none."""
        return Counts(self.concurrent + other.concurrent, self.initialising + other.initialising,
                      self.busy + other.busy, self.idle + other.idle, self.provisioned + other.provisioned)


def counts_of(stats: FunctionStatistics) -> Counts:
    initialising = busy = idle = provisioned = 0
    for env in stats.environments:
        if env.init_type is InitType.PROVISIONED:
            provisioned += 1
        elif env.state in (EnvState.STARTING, EnvState.INITIALISING):
            initialising += 1
        elif env.state is EnvState.BUSY:
            busy += 1
        elif env.state in (EnvState.IDLE, EnvState.FROZEN):
            idle += 1
    return Counts(stats.concurrent_executions, initialising, busy, idle, provisioned, stats.reserved_concurrency,
                  stats.provisioned_concurrency or None)


class MarkerKind(StrEnum):
    THROTTLE = "throttle"
    COLD_START = "cold start"


@dataclass(frozen=True, slots=True)
class Marker:
    timestamp: float
    function: str
    kind: MarkerKind


@dataclass(frozen=True, slots=True)
class Snapshot:
    timestamp: float
    functions: dict[str, Counts]

    def total(self, function: str | None) -> Counts:
        if function is not None:
            return self.functions.get(function, Counts())
        total = Counts()
        for counts in self.functions.values():
            total = total + counts
        return total


class GraphHistory:
    def __init__(self, retention_s: float = RETENTION_S) -> None:
        self.retention_s = retention_s
        self.snapshots: deque[Snapshot] = deque()
        self.markers: deque[Marker] = deque()
        self.functions: list[str] = []

    @property
    def latest_time(self) -> float | None:
        return self.snapshots[-1].timestamp if self.snapshots else None

    def add_statistics(self, statistics: EngineStatistics) -> None:
        functions = {f.name: counts_of(f) for f in statistics.functions}
        self.functions = sorted(functions)
        self.snapshots.append(Snapshot(statistics.timestamp, functions))
        self._trim(statistics.timestamp)

    def add_events(self, throttles: list[Throttled], started: list[InvocationStarted]) -> None:
        for throttle in throttles:
            self.markers.append(Marker(throttle.timestamp, throttle.function, MarkerKind.THROTTLE))
        for start in started:
            if start.cold_start:
                self.markers.append(Marker(start.timestamp, start.function, MarkerKind.COLD_START))

    def _trim(self, now: float) -> None:
        horizon = now - self.retention_s
        while self.snapshots and self.snapshots[0].timestamp < horizon:
            self.snapshots.popleft()
        while self.markers and self.markers[0].timestamp < horizon:
            self.markers.popleft()

    def clear(self) -> None:
        self.snapshots.clear()
        self.markers.clear()

    def series(self, function: str | None, since: float) -> list[tuple[float, Counts]]:
        return [(s.timestamp, s.total(function)) for s in self.snapshots if s.timestamp >= since]

    def markers_since(self, function: str | None, since: float) -> list[Marker]:
        return [m for m in self.markers if m.timestamp >= since and (function is None or m.function == function)]

    def count(self, kind: MarkerKind, function: str | None = None) -> int:
        return sum(1 for m in self.markers if m.kind is kind and (function is None or m.function == function))
