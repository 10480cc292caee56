"""Behaviour of the pollers with real boto3, real moto and real functions: SQS pollers scaling with the backlog
within MaximumConcurrency, the 6 MB batch split, the visibility extension, a poison message or record that never
stalls other message groups or shards; ParallelizationFactor keeping per-key order, StartingPosition LATEST and
AT_TIMESTAMP, an SNS OnFailure destination, the checkpoint before the lowest reported failure, and parent shards
read to their end before their children."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import ROLE, ServerThread, make_zip
from tests.event_sources.conftest import Aws, eventually
from tests.helpers import EventLog
from workbench.engine import MappingBatchProcessed, PollerSettings

#: Counts its records and prints nothing (a 6 MB event is not for the log).
COUNTER = "def handler(event, context):\n    return len(event['Records'])\n"


def _bodies(aws: Aws) -> list[str]:
    found = []
    for event in aws.events():
        for record in event.get("Records", []):
            if "body" in record:
                found.append(record["body"])
            elif "kinesis" in record:
                found.append(base64.b64decode(record["kinesis"]["data"]).decode())
    return found


def _depth(aws: Aws, url: str) -> int:
    attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def _stream(aws: Aws, name: str = "clicks", shards: int = 1) -> str:
    aws.kinesis.create_stream(StreamName=name, ShardCount=shards)
    return str(aws.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"])


def _watch(aws: Aws) -> EventLog:
    events = EventLog()
    assert aws.server.engine is not None
    aws.server.engine.subscribe(events)
    return events


# -- SQS ----------------------------------------------------------------------------------------------------------
def test_sqs_pollers_scale_up_with_the_backlog_within_maximum_concurrency_and_down_when_idle(aws: Aws) -> None:
    aws.function(timeout=5)
    url, arn = aws.queue("work")
    for start in range(0, 80, 10):
        aws.sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"slow:0.3:{start + i}"}
                                                          for i in range(10)])
    created = aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=arn, BatchSize=1,
                                                  ScalingConfig={"MaximumConcurrency": 8})
    pollers: list[int] = []
    in_flight: list[int] = []

    def sample() -> Any:
        stats = aws.mapping(created["UUID"])
        pollers.append(stats.pollers)
        in_flight.append(stats.in_flight_batches)
        return stats

    eventually(lambda: sample().records == 80, timeout=60, what="all 80 messages")
    assert pollers[0] <= 5 and max(pollers) == 8  # from AWS's 5 up to MaximumConcurrency, never beyond
    assert max(in_flight) <= 8
    eventually(lambda: sample().pollers == 2, what="the pollers back to 2 on an empty queue")


@pytest.fixture
def one_poller(tmp_path: Path) -> Iterator[Aws]:
    """A server whose SQS mappings keep exactly one poller (to follow one batch)."""
    settings = PollerSettings(sqs_wait_s=1, sqs_initial_pollers=1, sqs_min_pollers=1, sqs_scale_interval_s=1000,
                              retry_delay_s=0.1, retry_delay_max_s=0.5)
    server = ServerThread(tmp_path / ".workbench", event_sources=settings).start()
    made = Aws(server)
    yield made
    made.close()
    server.stop()


def test_a_batch_over_6_mb_is_split_and_the_rest_released(one_poller: Aws) -> None:
    aws = one_poller
    aws.lam.create_function(FunctionName="counter", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                            Timeout=10, Code={"ZipFile": make_zip({"app.py": COUNTER})})
    events = _watch(aws)
    url, arn = aws.queue("big")
    for index in range(30):  # 30 messages of 250 kB: 7.5 MB
        aws.sqs.send_message(QueueUrl=url, MessageBody=f"{index:03d}" + "x" * 250_000)
    created = aws.lam.create_event_source_mapping(FunctionName="counter", EventSourceArn=arn, BatchSize=100,
                                                  MaximumBatchingWindowInSeconds=2)
    eventually(lambda: aws.mapping(created["UUID"]).records == 30, timeout=60, what="all 30 messages")
    sizes = [event.size for event in events.of(MappingBatchProcessed)]
    assert all(event.result == "OK" for event in events.of(MappingBatchProcessed))
    assert sizes[0] == 25 and sum(sizes) == 30  # 25 x 250 kB fit in one 6 MB invoke; 5 went back to the queue
    eventually(lambda: _depth(aws, url) == 0, what="every message deleted")


def test_the_visibility_timeout_is_extended_while_a_batch_runs_longer(aws: Aws) -> None:
    aws.function(timeout=5)  # window 0 + timeout 5 s > the queue's 2 s: hidden for 35 s instead
    url, arn = aws.queue("short", VisibilityTimeout="2")
    aws.sqs.send_message(QueueUrl=url, MessageBody="slow:3:once")
    created = aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=arn, BatchSize=1)
    eventually(lambda: aws.mapping(created["UUID"]).records == 1, timeout=30, what="the slow message")
    eventually(lambda: _depth(aws, url) == 0, what="the message deleted")
    stats = aws.mapping(created["UUID"])
    assert stats.in_flight_batches == 0 and stats.batches == 1
    assert _bodies(aws) == ["slow:3:once"]  # not received again by another poller at 2 s


def test_a_poison_message_never_stalls_the_other_message_groups(aws: Aws) -> None:
    aws.function()
    dlq_url, dlq_arn = aws.queue("dead.fifo", FifoQueue="true")
    url, arn = aws.queue("ordered.fifo", FifoQueue="true", ContentBasedDeduplication="true", VisibilityTimeout="1",
                         RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}))
    for group, body in (("a", "poison"), ("a", "a1"), ("b", "b1"), ("b", "b2")):
        aws.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    created = aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=arn, BatchSize=1)
    eventually(lambda: "b2" in _bodies(aws), what="group b, past group a's poison")
    seen = _bodies(aws)
    assert seen.index("b1") < seen.index("b2")
    eventually(lambda: "a1" in _bodies(aws), timeout=30, what="group a once its poison went to the DLQ")
    seen = _bodies(aws)
    assert seen.count("poison") == 2 and seen.index("a1") > max(i for i, b in enumerate(seen) if b == "poison")
    moved = eventually(lambda: aws.sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages"),
                       what="the poison message in the DLQ")
    assert moved[0]["Body"] == "poison"
    assert aws.mapping(created["UUID"]).pollers >= 1  # the pollers lived through it


# -- streams ------------------------------------------------------------------------------------------------------
def test_a_poison_record_never_stalls_another_shard(aws: Aws) -> None:
    aws.function()
    stream = _stream(aws, shards=2)
    low, high = _keys_of_two_shards()
    aws.kinesis.put_record(StreamName="clicks", Data=b"poison", PartitionKey=low)
    for index in range(3):
        aws.kinesis.put_record(StreamName="clicks", Data=f"good{index}".encode(), PartitionKey=high)
    created = aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=stream,
                                                  StartingPosition="TRIM_HORIZON")
    eventually(lambda: {"good0", "good1", "good2"} <= set(_bodies(aws)), what="the other shard's records")
    eventually(lambda: _bodies(aws).count("poison") >= 2, what="the poison retried on its own shard")
    assert [b for b in _bodies(aws) if b.startswith("good")] == ["good0", "good1", "good2"]
    assert aws.mapping(created["UUID"]).pollers == 2


def _keys_of_two_shards() -> tuple[str, str]:
    """Partition keys whose MD5 hash keys fall in the lower and the upper half of the hash range (two shards)."""
    keys = [f"key{i}" for i in range(64)]
    def upper(key: str) -> bool:
        return int(hashlib.md5(key.encode()).hexdigest(), 16) >= 2**127  # Kinesis's own hash
    return next(k for k in keys if not upper(k)), next(k for k in keys if upper(k))


def test_parallelization_factor_keeps_the_order_of_each_partition_key(aws: Aws) -> None:
    aws.function(timeout=10)
    stream = _stream(aws)
    keys: list[str] = []
    candidate = 0
    while len(keys) < 3:  # three keys that land in three different lanes of three
        key = f"key{candidate}"
        if zlib.crc32(key.encode()) % 3 not in {zlib.crc32(k.encode()) % 3 for k in keys}:
            keys.append(key)
        candidate += 1
    for index in range(4):
        for key in keys:
            aws.kinesis.put_record(StreamName="clicks", Data=f"slow:0.2:{key}:{index}".encode(), PartitionKey=key)
    created = aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=stream,
                                                  StartingPosition="TRIM_HORIZON", ParallelizationFactor=3)
    in_flight: list[int] = []

    def sample() -> int:
        stats = aws.mapping(created["UUID"])
        in_flight.append(stats.in_flight_batches)
        return int(stats.records)

    eventually(lambda: sample() == 12, what="all twelve records")
    for key in keys:
        assert [b.split(":")[3] for b in _bodies(aws) if b.split(":")[2] == key] == ["0", "1", "2", "3"]
    for event in aws.events():  # each invocation holds one lane's keys
        assert len({base64.b64decode(r["kinesis"]["data"]).decode().split(":")[2] for r in event["Records"]}) == 1
    assert max(in_flight) >= 2  # the lanes ran at once


def test_starting_positions_latest_and_at_timestamp(aws: Aws) -> None:
    aws.function()
    stream = _stream(aws)
    aws.kinesis.put_record(StreamName="clicks", Data=b"old", PartitionKey="k")
    latest = aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=stream,
                                                 StartingPosition="LATEST")
    eventually(lambda: aws.mapping(latest["UUID"]).iterator_age_s is not None, what="the reader's first read")
    aws.kinesis.put_record(StreamName="clicks", Data=b"new", PartitionKey="k")
    eventually(lambda: "new" in _bodies(aws), what="the record put after the mapping started")
    assert "old" not in _bodies(aws)
    aws.lam.delete_event_source_mapping(UUID=latest["UUID"])

    other = _stream(aws, "timed")
    aws.kinesis.put_record(StreamName="timed", Data=b"before", PartitionKey="k")
    time.sleep(0.05)  # the two records need arrival times apart
    aws.kinesis.put_record(StreamName="timed", Data=b"after", PartitionKey="k")
    shard = aws.kinesis.list_shards(StreamName="timed")["Shards"][0]["ShardId"]
    iterator = aws.kinesis.get_shard_iterator(StreamName="timed", ShardId=shard,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    arrival = aws.kinesis.get_records(ShardIterator=iterator)["Records"][1]["ApproximateArrivalTimestamp"]
    aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=other, StartingPosition="AT_TIMESTAMP",
                                        StartingPositionTimestamp=arrival.timestamp() - 0.01)
    eventually(lambda: "after" in _bodies(aws), what="the record at the timestamp")
    assert "before" not in _bodies(aws)


def test_retries_exhausted_go_to_an_sns_destination(aws: Aws) -> None:
    aws.function()
    topic = aws.sns
    topic_arn = topic.create_topic(Name="failures")["TopicArn"]
    url, queue_arn = aws.queue("from-topic")
    topic.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    stream = _stream(aws)
    aws.kinesis.put_record(StreamName="clicks", Data=b"poison", PartitionKey="k")
    created = aws.lam.create_event_source_mapping(
        FunctionName="recorder", EventSourceArn=stream, StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": topic_arn}})
    assert created["DestinationConfig"] == {"OnFailure": {"Destination": topic_arn}}
    message = eventually(lambda: aws.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages"),
                         what="the failure record, through the topic")
    record = json.loads(json.loads(message[0]["Body"])["Message"])
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["KinesisBatchInfo"]["batchSize"] == 1 and record["KinesisBatchInfo"]["streamArn"] == stream


def test_the_checkpoint_moves_to_just_before_the_lowest_reported_failure(aws: Aws) -> None:
    aws.function()
    stream = _stream(aws)
    for data in ("r0", "r1", "bad-r2", "r3"):
        aws.kinesis.put_record(StreamName="clicks", Data=data.encode(), PartitionKey="k")
    created = aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=stream,
                                                  StartingPosition="TRIM_HORIZON",
                                                  FunctionResponseTypes=["ReportBatchItemFailures"])
    eventually(lambda: _bodies(aws).count("bad-r2") >= 2, what="the failed record retried")
    assert [[base64.b64decode(r["kinesis"]["data"]).decode() for r in e["Records"]] for e in aws.events()][:2] == [
        ["r0", "r1", "bad-r2", "r3"], ["bad-r2", "r3"]]
    aws.lam.update_event_source_mapping(UUID=created["UUID"], Enabled=False)
    before = len(aws.events())
    aws.lam.update_event_source_mapping(UUID=created["UUID"], Enabled=True)  # a new reader, from the checkpoint
    eventually(lambda: len(aws.events()) > before, what="the resumed reader's batch")
    resumed = aws.events()[before]
    assert [base64.b64decode(r["kinesis"]["data"]).decode() for r in resumed["Records"]] == ["bad-r2", "r3"]


def test_parent_shards_are_read_to_their_end_before_their_children(aws: Aws) -> None:
    aws.function(timeout=5)
    stream = _stream(aws)
    for index in range(3):
        aws.kinesis.put_record(StreamName="clicks", Data=f"slow:0.3:parent{index}".encode(), PartitionKey="k")
    parent = aws.kinesis.list_shards(StreamName="clicks")["Shards"][0]["ShardId"]
    aws.kinesis.split_shard(StreamName="clicks", ShardToSplit=parent, NewStartingHashKey=str(2**127))
    aws.kinesis.put_record(StreamName="clicks", Data=b"child0", PartitionKey="k")
    aws.kinesis.put_record(StreamName="clicks", Data=b"child1", PartitionKey="k")
    aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=stream,
                                        StartingPosition="TRIM_HORIZON", BatchSize=1)
    eventually(lambda: len(_bodies(aws)) == 5, what="all five records")
    assert [b.split(":")[-1] for b in _bodies(aws)] == ["parent0", "parent1", "parent2", "child0", "child1"]
