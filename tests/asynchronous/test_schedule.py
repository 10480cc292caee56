"""The asynchronous queue's schedule in virtual time (FakeClock), with real runtime processes: retries after
function errors at ~1 and ~2 minutes, zero retries, maximum event age, throttle backoff, reserved concurrency 0,
and the delay scale."""

from __future__ import annotations

import asyncio
import functools
import itertools
from pathlib import Path

from tests.asynchronous.conftest import SLEEPS_OR_FAILS
from tests.helpers import EventLog, make_project, wait_until
from workbench.engine import (
    AsyncAttemptStarted,
    AsyncEventDiscarded,
    AsyncEventSucceeded,
    AsyncRetryScheduled,
    Engine,
    EngineSettings,
    FakeClock,
    Throttled,
)
from workbench.engine.asynchronous.retry import RetryPolicy
from workbench.model.project import Project


def _project(tmp_path: Path, **props: object) -> Project:
    return make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                          "Timeout": 30, **props}}, {"src/app.py": SLEEPS_OR_FAILS})


until = functools.partial(wait_until, timeout=30.0, interval=0.01)  # in real time: the runtime processes are real


def test_policy_arithmetic() -> None:
    policy = RetryPolicy()
    assert [policy.after_function_error(n) for n in (1, 2, 3)] == [60.0, 120.0, None]
    assert [policy.after_throttle(n) for n in (1, 2, 3, 9, 10, 50)] == [1, 2, 4, 256, 300, 300]
    assert RetryPolicy(0).after_function_error(1) is None
    scaled = RetryPolicy(scale=0.01)
    assert scaled.after_function_error(1) == 0.6 and scaled.after_function_error(2) == 1.2
    assert scaled.max_age_s == 216.0 and not scaled.expired(0, 216) and scaled.expired(0, 216.5)


async def test_function_errors_are_retried_after_one_and_two_minutes(tmp_path: Path) -> None:
    clock = FakeClock()
    events = EventLog()
    async with Engine(_project(tmp_path), clock=clock) as engine:
        engine.subscribe(events)
        request_id = await engine.invoke_async("Fn", b'{"fail": true}')
        await until(lambda: len(events.of(AsyncRetryScheduled)) == 1)
        assert events.of(AsyncRetryScheduled)[0].delay_s == 60 and events.of(AsyncRetryScheduled)[0].reason == \
            "FunctionError"
        assert engine.statistics().function("Fn").asynchronous.waiting == 1
        await clock.advance(59)
        assert len(events.of(AsyncAttemptStarted)) == 1
        await clock.advance(1)
        await until(lambda: len(events.of(AsyncRetryScheduled)) == 2)
        assert events.of(AsyncRetryScheduled)[1].delay_s == 120
        await clock.advance(119)
        assert len(events.of(AsyncAttemptStarted)) == 2
        await clock.advance(1)
        await until(lambda: bool(events.of(AsyncEventDiscarded)))
        discarded = events.of(AsyncEventDiscarded)[0]
        stats = engine.statistics().function("Fn").asynchronous
    assert discarded.request_id == request_id and discarded.condition == "RetriesExhausted"
    assert discarded.state == "failed"
    assert [e.attempt for e in events.of(AsyncAttemptStarted)] == [1, 2, 3]
    started = [e.timestamp for e in events.of(AsyncAttemptStarted)]
    assert [round(b - a) for a, b in itertools.pairwise(started)] == [60, 120]
    assert (stats.depth, stats.retries, stats.failed) == (0, 2, 1)


async def test_zero_retries_and_success(tmp_path: Path) -> None:
    clock = FakeClock()
    events = EventLog()
    async with Engine(_project(tmp_path), clock=clock) as engine:
        engine.subscribe(events)
        await engine.put_function_event_invoke_config("Fn", maximum_retry_attempts=0)
        await engine.invoke_async("Fn", b'{"fail": true}')
        await engine.invoke_async("Fn", b"{}")
        await until(lambda: len(events.of(AsyncEventDiscarded)) == 1 and len(events.of(AsyncEventSucceeded)) == 1)
        await clock.advance(600)
        assert len(events.of(AsyncAttemptStarted)) == 2 and not events.of(AsyncRetryScheduled)


async def test_an_event_older_than_its_maximum_age_is_discarded(tmp_path: Path) -> None:
    clock = FakeClock()
    events = EventLog()
    async with Engine(_project(tmp_path), clock=clock) as engine:
        engine.subscribe(events)
        await engine.put_function_event_invoke_config("Fn", maximum_event_age_s=100)
        await engine.invoke_async("Fn", b'{"fail": true}')
        await until(lambda: len(events.of(AsyncRetryScheduled)) == 1)   # the next retry is at 60 s: within 100 s
        await clock.advance(60)
        await until(lambda: bool(events.of(AsyncEventDiscarded)))       # the one after, at 180 s, is not
    discarded = events.of(AsyncEventDiscarded)[0]
    assert (discarded.state, discarded.condition) == ("expired", "EventAgeExceeded")
    assert len(events.of(AsyncAttemptStarted)) == 2


async def test_throttled_events_back_off_until_their_maximum_age(tmp_path: Path) -> None:
    clock = FakeClock()
    events = EventLog()
    async with Engine(_project(tmp_path, ReservedConcurrentExecutions=1), clock=clock) as engine:
        engine.subscribe(events)
        await engine.put_function_event_invoke_config("Fn", maximum_event_age_s=60)
        blocker = asyncio.create_task(engine.invoke("Fn", b'{"sleep": 30}'))
        await until(lambda: engine.statistics().function("Fn").concurrent_executions == 1)
        await engine.invoke_async("Fn")
        await until(lambda: len(events.of(AsyncRetryScheduled)) == 1)
        while not events.of(AsyncEventDiscarded):    # each retry is attempted when its delay is over
            seen = len(events.of(AsyncRetryScheduled))
            await clock.advance(events.of(AsyncRetryScheduled)[-1].delay_s)
            await until(lambda seen=seen: len(events.of(AsyncRetryScheduled)) > seen  # type: ignore[misc]
                        or bool(events.of(AsyncEventDiscarded)))
        delays = [e.delay_s for e in events.of(AsyncRetryScheduled)]
        assert delays == [1, 2, 4, 8, 16]       # the next, 32 s, would pass 60 s
        assert all(e.reason == "Throttled (ReservedFunctionConcurrentInvocationLimitExceeded)"
                   for e in events.of(AsyncRetryScheduled))
        assert events.of(AsyncEventDiscarded)[0].condition == "EventAgeExceeded"
        blocker.cancel()


async def test_reserved_concurrency_zero_discards_at_once(tmp_path: Path) -> None:
    clock = FakeClock()
    events = EventLog()
    async with Engine(_project(tmp_path), clock=clock) as engine:
        engine.subscribe(events)
        await engine.put_function_concurrency("Fn", 0)
        await engine.invoke_async("Fn")
        await until(lambda: bool(events.of(AsyncEventDiscarded)))
        await clock.advance(600)
    assert len(events.of(Throttled)) == 1 and not events.of(AsyncRetryScheduled)
    assert events.of(AsyncEventDiscarded)[0].condition == "ZeroReservedConcurrency"


async def test_the_delay_scale_shortens_every_wait(tmp_path: Path) -> None:
    clock = FakeClock()
    events = EventLog()
    settings = EngineSettings(async_delay_scale=0.01)
    async with Engine(_project(tmp_path), clock=clock, settings=settings) as engine:
        engine.subscribe(events)
        await engine.invoke_async("Fn", b'{"fail": true}')
        await until(lambda: len(events.of(AsyncRetryScheduled)) == 1)
        await clock.advance(0.6)
        await until(lambda: len(events.of(AsyncRetryScheduled)) == 2)
        await clock.advance(1.2)
        await until(lambda: bool(events.of(AsyncEventDiscarded)))
    assert [e.delay_s for e in events.of(AsyncRetryScheduled)] == [0.6, 1.2]
