"""Immutable snapshots of what the engine is doing, for faces that poll (status bars, graphs, tests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from workbench.engine.asynchronous.statistics import AsyncQueueStatistics
from workbench.engine.execution.pool import EnvironmentInfo


@dataclass(frozen=True, slots=True)
class FunctionStatistics:
    name: str
    environments: tuple[EnvironmentInfo, ...]
    concurrent_executions: int
    invocations: int
    errors: int
    throttles: int
    cold_starts: int
    reserved_concurrency: int | None
    provisioned_concurrency: int = 0     # requested, over all aliases and versions
    spillovers: int = 0                  # requests that found every provisioned environment busy
    asynchronous: AsyncQueueStatistics = field(default_factory=AsyncQueueStatistics)   # its asynchronous queue

    def count(self, state: str) -> int:
        return sum(1 for env in self.environments if env.state == state)


@dataclass(frozen=True, slots=True)
class MappingStatistics:
    """One event source mapping: its state, its last batch, and how far behind its source it is."""

    uuid: str
    function: str
    source_arn: str
    state: str
    last_batch_size: int
    last_result: str
    in_flight_batches: int
    backlog: int | None             # SQS: messages waiting (ApproximateNumberOfMessages)
    iterator_age_s: float | None    # Kinesis: how far the slowest shard reader is behind the stream
    filtered_out: int
    sent_to_destinations: int
    batches: int
    records: int
    failed_batches: int
    pollers: int
    buffered: int = 0               # received and held while a batching window fills


@dataclass(frozen=True, slots=True)
class EngineStatistics:
    timestamp: float
    uptime_s: float
    backend: str
    functions: tuple[FunctionStatistics, ...]
    event_source_mappings: tuple[MappingStatistics, ...] = ()

    @property
    def environments(self) -> int:
        return sum(len(f.environments) for f in self.functions)

    @property
    def concurrent_executions(self) -> int:
        return sum(f.concurrent_executions for f in self.functions)

    @property
    def invocations(self) -> int:
        return sum(f.invocations for f in self.functions)

    def mapping(self, uuid: str) -> MappingStatistics:
        for entry in self.event_source_mappings:
            if entry.uuid == uuid:
                return entry
        raise KeyError(uuid)

    def function(self, name: str) -> FunctionStatistics:
        for entry in self.functions:
            if entry.name == name:
                return entry
        raise KeyError(name)


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0.99 for p99) of ``samples``; NaN when there are none."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]
