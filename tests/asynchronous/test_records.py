"""The OnFailure records that are not RetriesExhausted, read back from a real local SQS queue (moto, through the
engine's one endpoint) with boto3, against spec §5 (docs/lambda-behaviour.md):

- `ZeroReservedConcurrency`: `approximateInvokeCount` 0, no `responseContext` / `responsePayload`;
- `EventAgeExceeded` with no attempt made (the emulator's choice, spec §12.4 / §13): the same form;
- `EventAgeExceeded` after attempts: the count of attempts and the last attempt's response.

Time is virtual (FakeClock) so that the maximum event age passes at once; the runtime processes are real."""

from __future__ import annotations

import asyncio
import functools
import json
import uuid
from pathlib import Path
from typing import Any

from tests.asynchronous.conftest import SLEEPS_OR_FAILS, aws, receive
from tests.helpers import EventLog, make_project, wait_until
from workbench.engine import AsyncDestinationDelivered, AsyncRetryScheduled, Engine, FakeClock

ARN_PREFIX = "arn:aws:lambda:us-east-1:123456789012:function:fn"


until = functools.partial(wait_until, timeout=60.0, interval=0.01)  # in real time: the runtime processes are real


async def _queue(engine: Engine) -> tuple[Any, str, str]:
    sqs = aws("sqs", await engine.services.ensure_started())
    url = (await asyncio.to_thread(sqs.create_queue, QueueName=f"q-{uuid.uuid4().hex[:8]}"))["QueueUrl"]
    arn = (await asyncio.to_thread(sqs.get_queue_attributes, QueueUrl=url,
                                   AttributeNames=["QueueArn"]))["Attributes"]["QueueArn"]
    return sqs, url, arn


async def _record(sqs: Any, url: str) -> dict[str, Any]:
    message = await asyncio.to_thread(receive, sqs, url)
    record: dict[str, Any] = json.loads(message["Body"])
    return record


def _engine(tmp_path: Path, clock: FakeClock) -> Engine:
    project = make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                             "FunctionName": "fn", "Timeout": 900}}, {"src/app.py": SLEEPS_OR_FAILS})
    return Engine(project, clock=clock)


async def test_zero_reserved_concurrency_record(tmp_path: Path) -> None:
    async with _engine(tmp_path, FakeClock()) as engine:
        sqs, url, arn = await _queue(engine)
        await engine.put_function_event_invoke_config("fn", on_failure=arn)
        await engine.put_function_concurrency("fn", 0)
        request_id = await engine.invoke_async("fn", b'{"n": 1}')
        record = await _record(sqs, url)
    assert set(record) == {"version", "timestamp", "requestContext", "requestPayload"}
    assert record["version"] == "1.0" and record["requestPayload"] == {"n": 1}
    assert record["requestContext"] == {"requestId": request_id, "functionArn": f"{ARN_PREFIX}:$LATEST",
                                        "condition": "ZeroReservedConcurrency", "approximateInvokeCount": 0}


async def test_event_age_exceeded_records_with_and_without_an_attempt(tmp_path: Path) -> None:
    clock = FakeClock()
    events = EventLog()
    async with _engine(tmp_path, clock) as engine:
        engine.subscribe(events)
        sqs, url, arn = await _queue(engine)
        await engine.put_function_event_invoke_config("fn", maximum_event_age_s=60, on_failure=arn)

        # after attempts: the first fails at age 0 and is retried at 60 s (not past 60 s); the second fails and
        # its retry, 120 s later, would be: EventAgeExceeded with the last attempt's response
        failing = await engine.invoke_async("fn", b'{"fail": true}')
        await until(lambda: len(events.of(AsyncRetryScheduled)) == 1)
        await clock.advance(60)
        after = await _record(sqs, url)
        assert after["requestContext"] == {"requestId": failing, "functionArn": f"{ARN_PREFIX}:$LATEST",
                                           "condition": "EventAgeExceeded", "approximateInvokeCount": 2}
        assert after["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                            "functionError": "Unhandled"}
        assert after["responsePayload"]["errorMessage"] == "it failed"

        # without one: with reserved concurrency 1, the second event waits behind the first, which runs for a
        # few real seconds while virtual time passes its maximum age
        await engine.put_function_concurrency("fn", 1)
        await engine.invoke_async("fn", b'{"sleep": 3}')
        waiting = await engine.invoke_async("fn", b'{"n": 2}')
        await until(lambda: engine.statistics().function("fn").concurrent_executions == 1)
        assert engine.statistics().function("fn").asynchronous.queued == 1
        await clock.advance(61)
        never = await _record(sqs, url)
        await until(lambda: len(events.of(AsyncDestinationDelivered)) == 2)
    assert set(never) == {"version", "timestamp", "requestContext", "requestPayload"}
    assert never["requestContext"] == {"requestId": waiting, "functionArn": f"{ARN_PREFIX}:$LATEST",
                                       "condition": "EventAgeExceeded", "approximateInvokeCount": 0}
    assert never["requestPayload"] == {"n": 2}
