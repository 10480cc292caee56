"""Timing rules of event source mappings in virtual time (FakeClock), with real moto, real boto3 and a real
function: the SQS batching window, stream retries with backoff and MaximumRetryAttempts, MaximumRecordAgeInSeconds,
and tumbling windows (carried state, the close at the window's end, the early close at 1 MB of state).

The pollers wait on the engine's clock, so minutes of virtual time pass in milliseconds. The function runs in a real
process, so the tests wait (in real time) for each batch to be done before moving the clock on: the function's
timeout runs on the same clock.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.event_sources.conftest import RECORDER
from tests.helpers import EventLog, make_project, wait_until
from workbench.engine import (
    Engine,
    EngineSettings,
    FakeClock,
    MappingBatchProcessed,
    MappingOptions,
    MappingRecordsDiscarded,
    PollerSettings,
)

#: One SQS poller that never scales (the window test follows one batch), SQS polls paced on the clock.
VIRTUAL = PollerSettings(sqs_wait_s=0, sqs_short_poll_s=0.2, sqs_initial_pollers=1, sqs_min_pollers=1,
                         sqs_scale_interval_s=10_000, kinesis_poll_interval_s=1.0, retry_delay_s=1.0,
                         retry_delay_max_s=30.0, shard_refresh_s=10_000)


#: Waits in real time (the function and moto are real) until a condition holds.
until = functools.partial(wait_until, timeout=30.0, interval=0.01)


class Rig:
    def __init__(self, engine: Engine, clock: FakeClock, events: EventLog) -> None:
        self.engine = engine
        self.clock = clock
        self.events = events
        self.sqs = engine.services.client("sqs", "us-east-1")
        self.kinesis = engine.services.client("kinesis", "us-east-1")

    def arn(self, logical_id: str) -> str:
        return self.engine.resource_attributes[logical_id]["Arn"]

    def batches(self) -> list[MappingBatchProcessed]:
        return self.events.of(MappingBatchProcessed)

    def discarded(self) -> list[MappingRecordsDiscarded]:
        return self.events.of(MappingRecordsDiscarded)

    def stats(self, mapping_id: str) -> Any:
        return self.engine.statistics().mapping(mapping_id)

    async def step(self, mapping_id: str, seconds: float) -> None:
        """Move the clock on, at most 10 s at a time and only while nothing of the mapping is being invoked: a poller
        woken during a step may invoke before the step is over, and a bigger step would run out the function's
        timeout (30 s, on the same clock) under it."""
        while seconds > 0:
            await until(lambda: self.stats(mapping_id).in_flight_batches == 0)
            await self.clock.advance(min(seconds, 10))
            seconds -= 10

    async def step_until(self, mapping_id: str, seconds: float, condition: Callable[[], Any]) -> None:
        """Move the clock on by ``seconds`` until ``condition`` holds. A stream reader reads (in real time) between
        its sleeps on the clock: a step that comes while it reads is over before it sleeps again, and the next
        step wakes it."""
        for _ in range(50):
            await self.step(mapping_id, seconds)
            try:
                await until(condition, timeout=0.5)
                return
            except TimeoutError:
                continue
        raise AssertionError("the condition never held")

    async def put(self, *data: str) -> None:
        for item in data:
            await asyncio.to_thread(self.kinesis.put_record, StreamName="clicks", Data=item.encode(),
                                    PartitionKey="k")

    async def payloads(self) -> list[dict[str, Any]]:
        """The events the function printed, in order (its log lines are stored asynchronously)."""
        lines = await self.engine.logs("Recorder", text="EVENT ", limit=10_000)
        return [json.loads(line.message.split("EVENT ", 1)[1]) for line in lines if "EVENT {" in line.message]


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    project = make_project(
        tmp_path, {"Recorder": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11", "Timeout": 30}},
        {"src/app.py": RECORDER},
        extra_resources={"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 120}},
                         "Clicks": {"Type": "AWS::Kinesis::Stream", "Properties": {"Name": "clicks",
                                                                                  "ShardCount": 1}}})
    clock = FakeClock(start_time=time.time())
    events = EventLog()
    async with Engine(project, clock=clock, settings=EngineSettings(event_sources=VIRTUAL)) as engine:
        engine.subscribe(events)
        yield Rig(engine, clock, events)


async def test_sqs_batching_window_runs_on_the_engines_clock(rig: Rig) -> None:
    url = rig.engine.resource_attributes["Queue"]["Ref"]
    await asyncio.to_thread(rig.sqs.send_message_batch, QueueUrl=url,
                            Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(3)])
    started = rig.clock.time()
    view = await rig.engine.create_event_source_mapping("Recorder", rig.arn("Queue"), MappingOptions(
        batch_size=20, maximum_batching_window_s=5))
    mapping_id = view.config.uuid
    await until(lambda: rig.stats(mapping_id).buffered == 3)
    await asyncio.to_thread(rig.sqs.send_message_batch, QueueUrl=url,
                            Entries=[{"Id": str(i), "MessageBody": f"n{i}"} for i in range(2)])
    await rig.clock.advance(0.2)
    await until(lambda: rig.stats(mapping_id).buffered == 5)
    await rig.clock.advance(4.5)  # 4.7 s into the 5 s window: still gathering
    assert rig.batches() == [] and rig.stats(mapping_id).buffered == 5
    await rig.clock.advance(0.5)
    batch = (await until(rig.batches))[0]
    assert batch.size == 5 and batch.result == "OK"
    assert batch.timestamp - started >= 5.0
    bodies = [r["body"] for r in (await _payloads(rig, 1))[0]["Records"]]
    assert sorted(bodies) == ["m0", "m1", "m2", "n0", "n1"]


async def test_stream_retries_back_off_on_the_clock_until_attempts_are_spent(rig: Rig) -> None:
    await rig.put("poison")
    view = await rig.engine.create_event_source_mapping("Recorder", rig.arn("Clicks"), MappingOptions(
        starting_position="TRIM_HORIZON", maximum_retry_attempts=2))
    mapping_id = view.config.uuid
    await until(lambda: len(rig.batches()) == 1)
    await rig.step(mapping_id, 0.9)
    assert len(rig.batches()) == 1  # the first retry waits a whole second
    await rig.step(mapping_id, 0.1)
    await until(lambda: len(rig.batches()) == 2)
    await rig.step(mapping_id, 1.9)
    assert len(rig.batches()) == 2  # the second, two more
    await rig.step(mapping_id, 0.1)
    discarded = (await until(rig.discarded))[0]
    times = [batch.timestamp for batch in rig.batches()]
    assert [round(b - a, 3) for a, b in itertools.pairwise(times)] == [1.0, 2.0]
    assert all(batch.result != "OK" for batch in rig.batches()) and len(times) == 3  # 1 attempt + 2 retries
    assert discarded.condition == "RetryAttemptsExhausted" and discarded.count == 1


async def test_records_older_than_the_maximum_age_are_discarded(rig: Rig) -> None:
    await rig.put("poison")
    put_at = rig.clock.time()
    view = await rig.engine.create_event_source_mapping("Recorder", rig.arn("Clicks"), MappingOptions(
        starting_position="TRIM_HORIZON", maximum_record_age_s=60))
    mapping_id = view.config.uuid
    await until(rig.batches)
    for _ in range(40):
        if rig.discarded():
            break
        await rig.step(mapping_id, 5)
    discarded = (await until(rig.discarded))[0]
    assert discarded.condition == "RecordAgeExceeded"
    assert 60 <= discarded.timestamp - put_at <= 95  # retried with backoff (1, 2, 4, ... 30 s) until too old
    assert len(rig.batches()) >= 6


async def test_tumbling_window_state_is_carried_and_closed_at_the_windows_end(rig: Rig) -> None:
    view = await rig.engine.create_event_source_mapping("Recorder", rig.arn("Clicks"), MappingOptions(
        starting_position="TRIM_HORIZON", tumbling_window_s=900))
    mapping_id = view.config.uuid
    await rig.put("w0")
    await rig.step_until(mapping_id, 1, lambda: len(rig.batches()) == 1)
    await rig.put("w1", "w2")
    await rig.step_until(mapping_id, 1, lambda: sum(batch.size for batch in rig.batches()) == 3)
    assert not [p for p in await rig.payloads() if p["isFinalInvokeForWindow"]]
    await rig.step_until(mapping_id, 900, lambda: rig.batches()[-1].size == 0)  # the final invoke has no records
    payloads = await _payloads(rig, len(rig.batches()))
    records = [len(p["Records"]) for p in payloads]
    # each invocation gets the state of the ones before it: the count of their records
    assert [p["state"].get("count", 0) for p in payloads] == list(itertools.accumulate([0, *records[:-1]]))
    final = payloads[-1]
    assert final["state"]["count"] == 3
    assert final["isFinalInvokeForWindow"] and not final["isWindowTerminatedEarly"] and final["Records"] == []
    assert final["window"]["end"] > final["window"]["start"]


async def test_a_window_closes_early_at_one_megabyte_of_state(rig: Rig) -> None:
    view = await rig.engine.create_event_source_mapping("Recorder", rig.arn("Clicks"), MappingOptions(
        starting_position="TRIM_HORIZON", tumbling_window_s=900))
    mapping_id = view.config.uuid
    await rig.put("big")
    await rig.step_until(mapping_id, 1, lambda: len(rig.batches()) == 2)
    payloads = await _payloads(rig, 2)
    final = payloads[1]
    assert final["isFinalInvokeForWindow"] and final["isWindowTerminatedEarly"] and final["Records"] == []
    assert final["state"]["pad"] > 1024 * 1024  # its length: the recorder prints no megabyte
    await rig.put("after")
    await rig.step_until(mapping_id, 1, lambda: len(rig.batches()) == 3)
    payloads = await _payloads(rig, 3)
    assert payloads[2]["state"] == {} and not payloads[2]["isFinalInvokeForWindow"]  # a fresh window's state


async def _payloads(rig: Rig, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    async def enough() -> bool:
        found[:] = await rig.payloads()
        return len(found) >= count

    async with asyncio.timeout(30):
        while not await enough():
            await asyncio.sleep(0.02)
    return found
