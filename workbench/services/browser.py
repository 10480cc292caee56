"""What the GUI's resource browser does to the local services, as plain blocking SDK calls (run them in a
thread): peek, send and purge queues and move a dead-letter queue's messages back; publish to topics; put and
read stream records; scan, put and delete table items; put events on a bus; list, upload and download objects.

Everything goes through boto3 at the services' endpoint, so the same browser works against an external
endpoint. No Qt here: the pane formats what these return.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from workbench.services.local import client_for

#: How many records `recent_records` reads per shard at most (a browser shows the newest few).
RECENT_RECORDS_PER_SHARD = 1000


class BrowserInputError(ValueError):
    """What the user typed cannot be sent (not JSON, not an object, no key): the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    url: str
    region: str

    def client(self, service: str) -> Any:
        return client_for(service, self.url, self.region)


# -- queues -----------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class QueueState:
    url: str
    arn: str
    visible: int
    in_flight: int
    delayed: int
    dead_letter_target: str | None    # the ARN of this queue's DLQ, if it has one
    sources: tuple[str, ...]          # URLs of the queues that dead-letter into this one


def queue_state(endpoint: Endpoint, url: str) -> QueueState:
    sqs = endpoint.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    target = None
    if attributes.get("RedrivePolicy"):
        target = json.loads(attributes["RedrivePolicy"]).get("deadLetterTargetArn")
    return QueueState(url, attributes["QueueArn"], int(attributes.get("ApproximateNumberOfMessages", 0)),
                      int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
                      int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)), target,
                      tuple(_dead_letter_sources(sqs, attributes["QueueArn"])))


def _dead_letter_sources(sqs: Any, arn: str) -> list[str]:
    sources = []
    for other in sqs.list_queues().get("QueueUrls", []):
        policy = sqs.get_queue_attributes(QueueUrl=other, AttributeNames=["RedrivePolicy"]).get("Attributes", {})
        if policy.get("RedrivePolicy") and json.loads(policy["RedrivePolicy"]).get("deadLetterTargetArn") == arn:
            sources.append(other)
    return sources


def peek_messages(endpoint: Endpoint, url: str, limit: int = 10) -> list[dict[str, Any]]:
    """Up to ``limit`` messages, left visible (a visibility timeout of 0). Like the console's "poll for
    messages", a peek is a receive: it counts towards each message's receive count."""
    response = endpoint.client("sqs").receive_message(
        QueueUrl=url, MaxNumberOfMessages=max(1, min(limit, 10)), VisibilityTimeout=0, WaitTimeSeconds=0,
        AttributeNames=["All"], MessageAttributeNames=["All"])
    return list(response.get("Messages", []))


def send_message(endpoint: Endpoint, url: str, body: str, group_id: str | None = None) -> str:
    if not body:
        raise BrowserInputError("a message needs a body")
    arguments: dict[str, Any] = {"QueueUrl": url, "MessageBody": body}
    if url.endswith(".fifo"):
        arguments["MessageGroupId"] = group_id or "workbench"
        arguments["MessageDeduplicationId"] = _dedup_id(body)
    return str(endpoint.client("sqs").send_message(**arguments)["MessageId"])


def _dedup_id(body: str) -> str:
    import hashlib
    import time

    return hashlib.sha256(f"{time.time_ns()}:{body}".encode()).hexdigest()[:64]


def purge_queue(endpoint: Endpoint, url: str) -> None:
    endpoint.client("sqs").purge_queue(QueueUrl=url)


def move_back(endpoint: Endpoint, dead_letter_url: str, target_url: str, limit: int = 1000) -> int:
    """Move up to ``limit`` messages from a dead-letter queue to ``target_url`` (each is sent, then deleted:
    a crash in between duplicates a message, never loses one). Returns how many moved."""
    sqs = endpoint.client("sqs")
    moved = 0
    while moved < limit:
        batch = sqs.receive_message(QueueUrl=dead_letter_url, MaxNumberOfMessages=min(10, limit - moved),
                                    VisibilityTimeout=30, WaitTimeSeconds=0,
                                    MessageAttributeNames=["All"]).get("Messages", [])
        if not batch:
            return moved
        for message in batch:
            arguments: dict[str, Any] = {"QueueUrl": target_url, "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                arguments["MessageAttributes"] = message["MessageAttributes"]
            if target_url.endswith(".fifo"):
                arguments["MessageGroupId"] = "workbench-redrive"
                arguments["MessageDeduplicationId"] = message["MessageId"]
            sqs.send_message(**arguments)
            sqs.delete_message(QueueUrl=dead_letter_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
    return moved


# -- topics -----------------------------------------------------------------------------------------------
def subscriptions(endpoint: Endpoint, topic_arn: str) -> list[dict[str, Any]]:
    return list(endpoint.client("sns").list_subscriptions_by_topic(TopicArn=topic_arn).get("Subscriptions", []))


def publish(endpoint: Endpoint, topic_arn: str, message: str, subject: str | None = None) -> str:
    if not message:
        raise BrowserInputError("a notification needs a message")
    arguments: dict[str, Any] = {"TopicArn": topic_arn, "Message": message}
    if subject:
        arguments["Subject"] = subject
    if topic_arn.endswith(".fifo"):
        arguments["MessageGroupId"] = "workbench"
        arguments["MessageDeduplicationId"] = _dedup_id(message)
    return str(endpoint.client("sns").publish(**arguments)["MessageId"])


# -- streams ----------------------------------------------------------------------------------------------
def shards(endpoint: Endpoint, stream: str) -> list[dict[str, Any]]:
    return list(endpoint.client("kinesis").list_shards(StreamName=stream).get("Shards", []))


def put_record(endpoint: Endpoint, stream: str, data: str, partition_key: str) -> dict[str, str]:
    if not partition_key:
        raise BrowserInputError("a record needs a partition key")
    answer = endpoint.client("kinesis").put_record(StreamName=stream, Data=data.encode(), PartitionKey=partition_key)
    return {"ShardId": answer["ShardId"], "SequenceNumber": answer["SequenceNumber"]}


def recent_records(endpoint: Endpoint, stream: str, limit: int = 50) -> list[dict[str, Any]]:
    """The newest ``limit`` records over all shards (shard, sequence number, partition key, data as text)."""
    kinesis = endpoint.client("kinesis")
    found: list[dict[str, Any]] = []
    for shard in shards(endpoint, stream):
        iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        read = 0
        while iterator and read < RECENT_RECORDS_PER_SHARD:
            answer = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            for record in answer.get("Records", []):
                found.append({"shard": shard["ShardId"], "sequence": record["SequenceNumber"],
                              "partitionKey": record["PartitionKey"],
                              "arrived": record["ApproximateArrivalTimestamp"].timestamp(),
                              "data": record["Data"].decode("utf-8", "replace")})
            read += len(answer.get("Records", []))
            if not answer.get("Records") or answer.get("MillisBehindLatest", 0) == 0:
                break
            iterator = answer.get("NextShardIterator")
    found.sort(key=lambda record: record["arrived"])
    return found[-limit:]


# -- tables -----------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ScanPage:
    items: list[dict[str, Any]]    # plain JSON values (numbers as int/float)
    next_key: dict[str, Any] | None
    key_names: tuple[str, ...]


def scan(endpoint: Endpoint, table: str, limit: int = 25, start_key: dict[str, Any] | None = None) -> ScanPage:
    from boto3.dynamodb.types import TypeDeserializer

    dynamodb = endpoint.client("dynamodb")
    description = dynamodb.describe_table(TableName=table)["Table"]
    arguments: dict[str, Any] = {"TableName": table, "Limit": limit}
    if start_key:
        arguments["ExclusiveStartKey"] = start_key
    answer = dynamodb.scan(**arguments)
    reader = TypeDeserializer()
    items = [_plain({name: reader.deserialize(value) for name, value in item.items()}) for item in answer["Items"]]
    return ScanPage(items, answer.get("LastEvaluatedKey"),
                    tuple(element["AttributeName"] for element in description["KeySchema"]))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | set | frozenset):
        return [_plain(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    return value


def parse_item(text: str) -> dict[str, Any]:
    """A JSON object typed in the browser, as an item (numbers become DynamoDB numbers)."""
    try:
        item = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as exc:
        raise BrowserInputError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(item, dict) or not item:
        raise BrowserInputError("an item is a JSON object with at least its key attributes")
    return item


def put_item(endpoint: Endpoint, table: str, item: dict[str, Any]) -> None:
    from boto3.dynamodb.types import TypeSerializer

    writer = TypeSerializer()
    endpoint.client("dynamodb").put_item(TableName=table,
                                         Item={name: writer.serialize(value) for name, value in item.items()})


def delete_item(endpoint: Endpoint, table: str, key: dict[str, Any]) -> None:
    from boto3.dynamodb.types import TypeSerializer

    writer = TypeSerializer()
    typed = {name: writer.serialize(Decimal(str(value)) if isinstance(value, int | float) else value)
             for name, value in key.items()}
    endpoint.client("dynamodb").delete_item(TableName=table, Key=typed)


# -- event buses ------------------------------------------------------------------------------------------
def put_event(endpoint: Endpoint, bus: str, source: str, detail_type: str, detail: str) -> str:
    try:
        document = json.loads(detail or "{}")
    except json.JSONDecodeError as exc:
        raise BrowserInputError(f"the detail is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(document, dict):
        raise BrowserInputError("the detail is a JSON object")
    if not source or not detail_type:
        raise BrowserInputError("an event needs a source and a detail type")
    answer = endpoint.client("events").put_events(Entries=[{
        "EventBusName": bus, "Source": source, "DetailType": detail_type, "Detail": json.dumps(document)}])
    entry = answer["Entries"][0]
    if answer.get("FailedEntryCount"):
        raise BrowserInputError(f"{entry.get('ErrorCode')}: {entry.get('ErrorMessage')}")
    return str(entry.get("EventId", ""))


def rules(endpoint: Endpoint, bus: str) -> list[dict[str, Any]]:
    return list(endpoint.client("events").list_rules(EventBusName=bus).get("Rules", []))


# -- buckets ----------------------------------------------------------------------------------------------
def list_objects(endpoint: Endpoint, bucket: str, limit: int = 1000) -> list[dict[str, Any]]:
    answer = endpoint.client("s3").list_objects_v2(Bucket=bucket, MaxKeys=limit)
    return [{"key": item["Key"], "size": item["Size"], "modified": item["LastModified"].timestamp()}
            for item in answer.get("Contents", [])]


def upload(endpoint: Endpoint, bucket: str, key: str, path: Path) -> None:
    if not key:
        raise BrowserInputError("an object needs a key")
    endpoint.client("s3").put_object(Bucket=bucket, Key=key, Body=path.read_bytes())


def download(endpoint: Endpoint, bucket: str, key: str, path: Path) -> int:
    """Write the object to ``path`` (through a temporary file beside it: a failed download leaves nothing
    half-written); returns its size."""
    body = endpoint.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(body)
    partial.replace(path)
    return len(body)


# -- what a trigger can read ------------------------------------------------------------------------------
def event_sources(endpoint: Endpoint) -> list[tuple[str, str]]:
    """(label, ARN) of every queue, Kinesis stream and DynamoDB table stream: what a mapping can poll."""
    found: list[tuple[str, str]] = []
    sqs = endpoint.client("sqs")
    for url in sqs.list_queues().get("QueueUrls", []):
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        found.append((f"SQS queue {url.rsplit('/', 1)[-1]}", arn))
    kinesis = endpoint.client("kinesis")
    for name in kinesis.list_streams().get("StreamNames", []):
        summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        found.append((f"Kinesis stream {name}", summary["StreamARN"]))
    dynamodb = endpoint.client("dynamodb")
    for name in dynamodb.list_tables().get("TableNames", []):
        stream = dynamodb.describe_table(TableName=name)["Table"].get("LatestStreamArn")
        if stream:
            found.append((f"DynamoDB stream of {name}", stream))
    return found


# -- where an asynchronous invocation can go ----------------------------------------------------------------
def destinations(endpoint: Endpoint) -> list[tuple[str, str]]:
    """(label, ARN) of every queue, topic and event bus: what an asynchronous configuration can deliver to (the
    dead-letter queue takes the queues and topics among them)."""
    found: list[tuple[str, str]] = []
    sqs = endpoint.client("sqs")
    for url in sqs.list_queues().get("QueueUrls", []):
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        found.append((f"SQS queue {url.rsplit('/', 1)[-1]}", arn))
    for topic in endpoint.client("sns").list_topics().get("Topics", []):
        found.append((f"SNS topic {topic['TopicArn'].rsplit(':', 1)[-1]}", topic["TopicArn"]))
    for bus in endpoint.client("events").list_event_buses().get("EventBuses", []):
        found.append((f"Event bus {bus['Name']}", bus["Arn"]))
    return found
