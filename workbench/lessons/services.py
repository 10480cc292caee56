"""What lessons do to the local AWS services: create (or empty) a queue or a stream, send to them, count what
a queue holds. Blocking SDK calls, run in a thread by the caller; names are the lesson's, ARNs are looked up."""

from __future__ import annotations

import json
from typing import Any

from workbench.services.browser import Endpoint

#: A lesson's queues redeliver a failed message after this many seconds (SQS's 30 s is too long for a class). Not
#: less than a mapping's batching window plus the function's timeout, or the poller hides a batch for longer.
LESSON_VISIBILITY_TIMEOUT_S = 6


def queue_url(endpoint: Endpoint, name: str) -> str:
    return str(endpoint.client("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def queue_arn(endpoint: Endpoint, name: str) -> str:
    sqs = endpoint.client("sqs")
    url = queue_url(endpoint, name)
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def create_queue(endpoint: Endpoint, name: str, dead_letter: str | None = None, max_receives: int = 2) -> str:
    """The queue, created or emptied (a lesson played twice starts from nothing); its ARN."""
    sqs = endpoint.client("sqs")
    attributes = {"VisibilityTimeout": str(LESSON_VISIBILITY_TIMEOUT_S)}
    if dead_letter is not None:
        attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": queue_arn(endpoint, dead_letter),
                                                  "maxReceiveCount": str(max_receives)})
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    sqs.purge_queue(QueueUrl=url)
    return queue_arn(endpoint, name)


def send(endpoint: Endpoint, name: str, bodies: list[Any]) -> None:
    sqs = endpoint.client("sqs")
    url = queue_url(endpoint, name)
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body if isinstance(body, str) else json.dumps(body))


def messages(endpoint: Endpoint, name: str) -> int:
    """Messages in the queue, visible or in flight (a lesson counts what arrived, read or not)."""
    sqs = endpoint.client("sqs")
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url(endpoint, name),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes.get("ApproximateNumberOfMessages", 0)) + \
        int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0))


def stream_arn(endpoint: Endpoint, name: str) -> str:
    kinesis = endpoint.client("kinesis")
    return str(kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"])


def create_stream(endpoint: Endpoint, name: str) -> str:
    """A fresh one-shard Kinesis stream (an older one of that name is deleted first, so a mapping reading from
    the stream's start sees only this play's records); its ARN."""
    kinesis = endpoint.client("kinesis")
    if name in kinesis.list_streams().get("StreamNames", []):
        kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return stream_arn(endpoint, name)


def put_records(endpoint: Endpoint, name: str, records: list[Any]) -> None:
    """All in one PutRecords call, so the poller can read them as one batch."""
    entries = [{"Data": (record if isinstance(record, str) else json.dumps(record)).encode(), "PartitionKey": "lesson"}
               for record in records]
    endpoint.client("kinesis").put_records(StreamName=name, Records=entries)
