"""The load generator: drives the engine in-process so a class can watch it scale out and throttle.

Two shapes of load: a closed loop (``requests`` spread over ``concurrency`` clients that each send the next
request as soon as the previous one answered) and an open loop (``rate`` requests per second for
``duration_s`` seconds, sent on schedule whatever the answers). The GUI's toolbar and `workbench load`
both use it.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.engine.core.errors import LambdaError, TooManyRequestsError
from workbench.engine.observation.events import (
    EngineEvent,
    EnvironmentStarting,
    EnvironmentStopped,
    InitType,
    InvocationFinished,
)
from workbench.engine.observation.statistics import percentile

if TYPE_CHECKING:
    from workbench.engine.facade import Engine


@dataclass(frozen=True, slots=True)
class LoadProgress:
    done: int
    total: int | None
    succeeded: int
    failed: int
    throttled: int
    elapsed_s: float
    cancelled: int = 0


@dataclass(frozen=True, slots=True)
class LoadReport:
    requests: int
    succeeded: int
    failed: int
    throttled: int
    cold_starts: int          # on-demand initialisations during the run
    peak_environments: int
    duration_s: float
    throughput_per_s: float   # answered requests (succeeded + failed) per second
    p50_ms: float
    p99_ms: float
    #: Answered requests by the kind of environment that served them: provisioned, or on-demand (the
    #: spill-over once every provisioned environment is busy).
    provisioned: int = 0
    on_demand: int = 0

    def as_dict(self) -> dict[str, float | int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class _Tally:
    def __init__(self, engine: Engine, function: str) -> None:
        self.succeeded = self.failed = self.throttled = self.cancelled = 0
        self.latencies: list[float] = []
        self.cold_starts = 0
        self.provisioned = self.on_demand = 0
        self._function = function
        self.environments = sum(1 for env in engine.statistics().function(function).environments) \
            if function in {f.name for f in engine.statistics().functions} else 0
        self.peak = self.environments

    def on_event(self, event: EngineEvent) -> None:
        if isinstance(event, EnvironmentStarting) and event.function == self._function:
            self.environments += 1
            self.peak = max(self.peak, self.environments)
            if event.init_type is InitType.ON_DEMAND:
                self.cold_starts += 1
        elif isinstance(event, EnvironmentStopped) and event.function == self._function:
            self.environments -= 1
        elif isinstance(event, InvocationFinished) and event.record.function == self._function:
            if event.record.init_type is InitType.PROVISIONED:
                self.provisioned += 1
            else:
                self.on_demand += 1

    @property
    def done(self) -> int:
        return self.succeeded + self.failed + self.throttled


async def run_load(
    engine: Engine,
    function: str,
    *,
    qualifier: str | None = None,
    payload: bytes = b"{}",
    requests: int | None = None,
    concurrency: int | None = None,
    rate: float | None = None,
    duration_s: float | None = None,
    on_progress: Callable[[LoadProgress], None] | None = None,
    progress_interval_s: float = 0.1,
) -> LoadReport:
    if requests is not None and concurrency is not None and rate is None and duration_s is None:
        if requests < 1 or concurrency < 1:
            raise ValueError("requests and concurrency must be at least 1")
        total, clients, interval = requests, min(concurrency, requests), 0.0
    elif rate is not None and duration_s is not None and requests is None and concurrency is None:
        if rate <= 0 or duration_s <= 0:
            raise ValueError("rate and duration must be positive")
        total, clients, interval = round(rate * duration_s), 0, 1.0 / rate
    else:
        raise ValueError("give either requests and concurrency, or rate and duration")
    name = engine.function_entry(function).name
    clock = engine.clock
    tally = _Tally(engine, name)
    unsubscribe = engine.subscribe(tally.on_event)
    started = clock.monotonic()

    async def one() -> None:
        begun = clock.monotonic()
        try:
            result = await engine.invoke(function, payload, qualifier=qualifier)
        except asyncio.CancelledError:
            tally.cancelled += 1
            raise
        except TooManyRequestsError:
            tally.throttled += 1
            return
        except LambdaError:
            tally.failed += 1
            return
        tally.latencies.append((clock.monotonic() - begun) * 1000.0)
        if result.function_error:
            tally.failed += 1
        else:
            tally.succeeded += 1

    def report_progress() -> None:
        if on_progress is not None:
            on_progress(LoadProgress(tally.done, total, tally.succeeded, tally.failed, tally.throttled,
                                     clock.monotonic() - started, tally.cancelled))

    async def ticker() -> None:
        while True:
            await asyncio.sleep(progress_interval_s)
            report_progress()

    # Every request runs in this task group, so cancelling the load (the GUI's Stop) cancels the requests in
    # flight and waits for them (they are counted as cancelled) instead of leaving them running unseen.
    try:
        async with asyncio.TaskGroup() as group:
            if on_progress is not None:
                ticking = group.create_task(ticker())
            if clients:
                remaining = iter(range(total))

                async def client() -> None:
                    for _ in remaining:
                        await one()

                clients_done = [group.create_task(client()) for _ in range(clients)]
                await asyncio.gather(*clients_done)
            else:
                requests_sent = []
                for index in range(total):
                    delay = started + index * interval - clock.monotonic()
                    if delay > 0:
                        await clock.sleep(delay)
                    requests_sent.append(group.create_task(one()))
                await asyncio.gather(*requests_sent)
            if on_progress is not None:
                ticking.cancel()
    finally:
        unsubscribe()
        if tally.cancelled:
            report_progress()
    elapsed = max(clock.monotonic() - started, 1e-9)
    report_progress()
    latencies = sorted(tally.latencies)
    return LoadReport(
        requests=total, succeeded=tally.succeeded, failed=tally.failed, throttled=tally.throttled,
        cold_starts=tally.cold_starts, peak_environments=tally.peak, duration_s=round(elapsed, 3),
        throughput_per_s=round((tally.succeeded + tally.failed) / elapsed, 1),
        p50_ms=round(statistics.median(latencies), 3) if latencies else 0.0,
        p99_ms=round(percentile(latencies, 0.99), 3) if latencies else 0.0,
        provisioned=tally.provisioned, on_demand=tally.on_demand,
    )
