"""A bounded backlog: with `async_max_backlog` events open for a function, one more is still accepted (202, in the
store) but dropped at once, announced (`AsyncEventDropped`), counted (AsyncEventsDropped) and sent to the
dead-letter queue, read back from a real local SQS queue. Virtual time holds the first events in their retry wait."""

from __future__ import annotations

import asyncio
import functools
import uuid
from pathlib import Path

from tests.asynchronous.conftest import aws, receive
from tests.helpers import EventLog, make_project, wait_until
from workbench.engine import (
    AsyncEventDropped,
    AsyncRetryScheduled,
    Engine,
    EngineSettings,
    FakeClock,
    open_readonly,
    query_events,
)

APP = """
def handler(event, context):
    raise RuntimeError("always")
"""


until = functools.partial(wait_until, timeout=60.0, interval=0.01)  # in real time: the runtime processes are real


async def test_an_event_over_the_bound_is_dropped_and_dead_lettered(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                             "FunctionName": "fn"}}, {"src/app.py": APP})
    events = EventLog()
    async with Engine(project, clock=FakeClock(), settings=EngineSettings(async_max_backlog=2)) as engine:
        engine.subscribe(events)
        sqs = aws("sqs", await engine.services.ensure_started())
        try:
            url = (await asyncio.to_thread(sqs.create_queue, QueueName=f"dlq-{uuid.uuid4().hex[:8]}"))["QueueUrl"]
            arn = (await asyncio.to_thread(sqs.get_queue_attributes, QueueUrl=url,
                                           AttributeNames=["QueueArn"]))["Attributes"]["QueueArn"]
            await engine.update_function_configuration("fn", dead_letter_target=arn)
            kept = [await engine.invoke_async("fn", b'{"n": %d}' % n) for n in range(2)]
            await until(lambda: len(events.of(AsyncRetryScheduled)) == 2)   # both open, waiting a minute
            dropped = await engine.invoke_async("fn", b'{"n": 2}')
            message = await asyncio.to_thread(receive, sqs, url)
            stats = engine.statistics().function("fn").asynchronous
        finally:
            sqs.close()
    [announced] = events.of(AsyncEventDropped)
    assert announced.request_id == dropped and announced.backlog == 2
    assert "async_max_backlog 2" in announced.reason
    assert (stats.waiting, stats.received, stats.dropped, stats.backlog_dropped) == (2, 3, 1, 1)
    assert message["Body"] == '{"n": 2}'
    assert message["MessageAttributes"]["RequestID"]["StringValue"] == dropped
    assert message["MessageAttributes"]["ErrorCode"]["StringValue"] == "429"
    with open_readonly(tmp_path / ".workbench" / "state.db") as connection:
        stored = {e.request_id: e for e in query_events(connection, "fn")}
    assert stored[dropped].state == "dropped" and stored[dropped].history == []
    assert stored[dropped].payload == b'{"n": 2}'                    # kept, not lost
    assert all(stored[request_id].state != "dropped" for request_id in kept)
