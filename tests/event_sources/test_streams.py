"""Kinesis and DynamoDB stream mappings with real boto3, real moto and a real function: order per shard, retries
exhausted with the failure record read back from the destination queue, bisect, tumbling windows, DynamoDB
record shapes, and a restart that resumes from the checkpoint."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tests.api.conftest import ServerThread
from tests.event_sources.conftest import FAST, Aws, eventually


def _data(aws: Aws) -> list[str]:
    return [base64.b64decode(r["kinesis"]["data"]).decode() for e in aws.events() for r in e.get("Records", [])]


def _stream(aws: Aws, name: str = "clicks") -> str:
    aws.kinesis.create_stream(StreamName=name, ShardCount=1)
    return str(aws.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"])


def test_kinesis_in_order_retries_exhausted_go_to_the_destination(aws: Aws) -> None:
    aws.function()
    failures_url, failures_arn = aws.queue("failures")
    stream = _stream(aws)
    for index in range(5):
        aws.kinesis.put_record(StreamName="clicks", Data=f"r{index}".encode(), PartitionKey="k")
    aws.kinesis.put_record(StreamName="clicks", Data=b"poison", PartitionKey="k")
    created = aws.lam.create_event_source_mapping(
        FunctionName="recorder", EventSourceArn=stream, StartingPosition="TRIM_HORIZON", BatchSize=100,
        MaximumRetryAttempts=1, BisectBatchOnFunctionError=True,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}})
    assert created["StartingPosition"] == "TRIM_HORIZON" and created["MaximumRetryAttempts"] == 1
    message = eventually(lambda: aws.sqs.receive_message(QueueUrl=failures_url, WaitTimeSeconds=1).get("Messages"),
                         what="the failure record")
    record = json.loads(message[0]["Body"])
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["responseContext"]["functionError"] == "Unhandled"
    info = record["KinesisBatchInfo"]
    assert info["batchSize"] == 1 and info["streamArn"] == stream and info["shardId"] == "shardId-000000000000"
    assert set(info) == {"shardId", "startSequenceNumber", "endSequenceNumber", "approximateArrivalOfFirstRecord",
                         "approximateArrivalOfLastRecord", "batchSize", "streamArn"}
    delivered = [d for d in _data(aws) if d != "poison"]
    # bisect delivered the good records (some more than once, as halves), always in order
    firsts = list(dict.fromkeys(delivered))
    assert firsts == [f"r{i}" for i in range(5)]
    shaped = aws.events()[0]["Records"][0]
    assert shaped["eventSource"] == "aws:kinesis" and shaped["eventName"] == "aws:kinesis:record"
    assert shaped["eventID"].startswith("shardId-000000000000:")
    assert set(shaped["kinesis"]) == {"kinesisSchemaVersion", "partitionKey", "sequenceNumber", "data",
                                      "approximateArrivalTimestamp"}
    assert aws.mapping(created["UUID"]).sent_to_destinations == 1


def test_tumbling_window_carries_state(aws: Aws) -> None:
    aws.function()
    stream = _stream(aws)
    aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=stream, StartingPosition="TRIM_HORIZON",
                                        TumblingWindowInSeconds=2)
    for batch in range(2):
        aws.kinesis.put_record(StreamName="clicks", Data=f"w{batch}".encode(), PartitionKey="k")
        eventually(lambda b=batch: f"w{b}" in _data(aws), what="the record delivered")  # type: ignore[misc]
    final = eventually(lambda: [e for e in aws.events() if e.get("isFinalInvokeForWindow")], what="the final invoke")
    assert final[0]["state"]["count"] >= 1 and final[0]["Records"] == []
    assert {"window", "state", "shardId", "eventSourceARN", "isWindowTerminatedEarly"} <= set(final[0])


def test_dynamodb_stream_records_in_aws_shape(aws: Aws) -> None:
    aws.function()
    table = aws.dynamodb.create_table(
        TableName="orders", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})["TableDescription"]
    aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=table["LatestStreamArn"],
                                        StartingPosition="TRIM_HORIZON", BatchSize=10)
    aws.dynamodb.put_item(TableName="orders", Item={"pk": {"S": "a"}, "total": {"N": "3"}})
    aws.dynamodb.update_item(TableName="orders", Key={"pk": {"S": "a"}}, UpdateExpression="SET #t = :t",
                             ExpressionAttributeNames={"#t": "total"},
                             ExpressionAttributeValues={":t": {"N": "4"}})
    records = eventually(lambda: [r for e in aws.events() for r in e["Records"]] if sum(
        len(e["Records"]) for e in aws.events()) >= 2 else None, what="both changes")
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
    change = records[1]
    assert change["eventSource"] == "aws:dynamodb" and change["eventSourceARN"] == table["LatestStreamArn"]
    assert change["dynamodb"]["Keys"] == {"pk": {"S": "a"}}
    assert change["dynamodb"]["NewImage"]["total"] == {"N": "4"}
    assert change["dynamodb"]["OldImage"]["total"] == {"N": "3"}
    assert change["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


def test_a_restart_resumes_from_the_checkpoint(tmp_path: Path) -> None:
    first = ServerThread(tmp_path / ".workbench", event_sources=FAST).start()
    aws = Aws(first)
    try:
        aws.function()
        stream = _stream(aws)
        created = aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=stream,
                                                      StartingPosition="TRIM_HORIZON")
        aws.kinesis.put_record(StreamName="clicks", Data=b"before", PartitionKey="k")
        eventually(lambda: "before" in _data(aws), what="the first record")
        eventually(lambda: aws.mapping(created["UUID"]).records == 1, what="the checkpoint")
        # the local services are moto in memory: keep them for the next engine by pointing it at this one
        endpoint = first.engine.services.endpoint_url if first.engine else ""
        second = ServerThread(tmp_path / ".workbench", event_sources=FAST, aws_endpoint=endpoint)
        aws.lam.update_event_source_mapping(UUID=created["UUID"], Enabled=False)
        # the first engine stops polling (disabled); the second, on the same store, resumes the mapping
    finally:
        aws.close()
    second.start()
    try:
        again = Aws(second)
        again.lam.update_event_source_mapping(UUID=created["UUID"], Enabled=True)
        again.kinesis.put_record(StreamName="clicks", Data=b"after", PartitionKey="k")
        eventually(lambda: again.mapping(created["UUID"]).records >= 1, what="the new record")
        seen = [base64.b64decode(r["kinesis"]["data"]).decode() for e in again.events() for r in e["Records"]]
        assert "after" in seen
        assert seen.count("before") == 1  # the first engine's invocation, in the shared log; not read again
        again.close()
    finally:
        second.stop()
        first.stop()
