"""AWS's asynchronous-invocation metrics in `statistics()` (AsyncEventsReceived, AsyncEventAge, AsyncEventsDropped,
DeadLetterErrors, DestinationDeliveryFailures), a failed dead-letter delivery dropping the event, and S3 buckets
as OnFailure destinations (and not OnSuccess ones), through the real API with boto3 and the local services."""

from __future__ import annotations

import contextlib
import functools
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ServerThread, create_echo, invoke
from tests.asynchronous.conftest import aws
from tests.helpers import wait_until_blocking
from workbench.engine import AsyncQueueStatistics, QueuedEvent, query_events


@pytest.fixture
def sqs(server: ServerThread) -> Iterator[Any]:
    made = aws("sqs", server.url)
    yield made
    made.close()


@pytest.fixture
def s3(server: ServerThread) -> Iterator[Any]:
    made = aws("s3", server.url)
    yield made
    made.close()


def _queue(sqs: Any) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _statistics(server: ServerThread, function: str) -> AsyncQueueStatistics:
    engine = server.engine
    assert engine is not None

    async def read() -> AsyncQueueStatistics:
        return engine.statistics().function(function).asynchronous

    return server.call(read())


def _stored(server: ServerThread, function: str) -> list[QueuedEvent]:
    engine = server.engine
    assert engine is not None
    return server.call(engine.database.run(lambda connection: query_events(connection, function))) or []


_until = functools.partial(wait_until_blocking, timeout=60.0)


def test_metrics_and_a_failed_dead_letter_delivery_drops_the_event(client: Any, server: ServerThread,
                                                                   sqs: Any) -> None:
    dlq_url, dlq_arn = _queue(sqs)
    destination_url, destination_arn = _queue(sqs)
    create_echo(client, DeadLetterConfig={"TargetArn": dlq_arn})
    client.put_function_event_invoke_config(FunctionName="echo", MaximumRetryAttempts=0,
                                            DestinationConfig={"OnFailure": {"Destination": destination_arn}})
    client.invoke(FunctionName="echo", InvocationType="Event", Payload='{"n": 1}')
    _until(lambda: _statistics(server, "echo").succeeded == 1, "the first event did not succeed")
    sqs.delete_queue(QueueUrl=dlq_url)             # both targets are gone when the next event fails
    sqs.delete_queue(QueueUrl=destination_url)
    failed = client.invoke(FunctionName="echo", InvocationType="Event", Payload='{"fail": true}')
    _until(lambda: _statistics(server, "echo").delivery_failures == 2, "the deliveries did not fail")
    stats = _statistics(server, "echo")
    assert (stats.received, stats.succeeded, stats.failed, stats.dropped) == (2, 1, 1, 1)
    assert (stats.dead_letter_errors, stats.destination_delivery_failures, stats.dead_lettered) == (1, 1, 0)
    assert stats.event_age_samples == 2 and 0 <= stats.event_age_mean_s <= stats.event_age_max_s < 30
    assert stats.metrics() == {"AsyncEventsReceived": 2, "AsyncEventAge": stats.event_age_mean_s * 1000,
                               "AsyncEventsDropped": 1, "DeadLetterErrors": 1, "DestinationDeliveryFailures": 1}
    row = {e.request_id: e for e in _stored(server, "echo")}[failed["ResponseMetadata"]["RequestId"]]
    assert row.state == "failed" and row.outcome is not None
    assert row.outcome.endswith(f"the dead-letter queue {dlq_arn} failed: dropped")
    assert len(row.history) == 1                   # dropped: the dead-letter delivery is not tried again


def test_an_s3_bucket_gets_failure_records_and_is_refused_for_success(client: Any, server: ServerThread,
                                                                      s3: Any) -> None:
    bucket = f"failures-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    create_echo(client)
    bucket_arn = f"arn:aws:s3:::{bucket}"
    with pytest.raises(ClientError) as refused:
        client.put_function_event_invoke_config(FunctionName="echo",
                                                DestinationConfig={"OnSuccess": {"Destination": bucket_arn}})
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert refused.value.response["Error"]["Message"] == (
        f"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination={bucket_arn}), "
        "onFailure=null) is invalid.")
    with pytest.raises(ClientError) as missing:
        client.put_function_event_invoke_config(FunctionName="echo", DestinationConfig={
            "OnFailure": {"Destination": "arn:aws:s3:::no-such-bucket-here"}})
    assert missing.value.response["Error"]["Code"] == "InvalidParameterValueException"

    client.put_function_event_invoke_config(FunctionName="echo", MaximumRetryAttempts=0,
                                            DestinationConfig={"OnFailure": {"Destination": bucket_arn}})
    before = datetime.now(UTC)
    sent = invoke(client, FunctionName="echo", InvocationType="Event", Payload='{"fail": true, "n": 7}')

    def listed() -> list[dict[str, Any]]:
        contents: list[dict[str, Any]] = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        return contents

    _until(lambda: bool(listed()), "no record arrived in the bucket")
    [found] = listed()
    key = found["Key"]
    match = re.fullmatch(r"aws/lambda/async/echo/(\d{4}/\d{2}/\d{2})/(\d{4}-\d{2}-\d{2})T(\d{2}\.\d{2}\.\d{2})-"
                         r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", key)
    assert match is not None, key
    stamped = datetime.strptime(f"{match[2]}T{match[3]}", "%Y-%m-%dT%H.%M.%S").replace(tzinfo=UTC)
    assert match[1] == match[2].replace("-", "/")
    assert before.replace(microsecond=0) <= stamped <= datetime.now(UTC)
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    with contextlib.closing(body):
        record = json.loads(body.read())
    assert record["requestContext"]["requestId"] == sent["ResponseMetadata"]["RequestId"]
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == {"fail": True, "n": 7}
    assert record["responsePayload"]["errorMessage"] == "failed on purpose"
    assert _statistics(server, "echo").destination_deliveries == 1
