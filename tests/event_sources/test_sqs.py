"""SQS mappings with real boto3, real moto and a real function: success, failure and redrive, partial batch
responses, FIFO order, filters, and AWS's validation messages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.event_sources.conftest import Aws, eventually


def _bodies(aws: Aws) -> list[str]:
    return [record["body"] for event in aws.events() for record in event["Records"]]


def _depth(aws: Aws, url: str) -> int:
    attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_a_batch_is_delivered_in_aws_shape_and_deleted(aws: Aws) -> None:
    aws.function()
    url, arn = aws.queue("work")
    created = aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=arn, BatchSize=10)
    assert created["State"] == "Creating" and created["BatchSize"] == 10
    assert aws.lam.get_event_source_mapping(UUID=created["UUID"])["State"] == "Enabled"
    aws.sqs.send_message(QueueUrl=url, MessageBody="one", MessageAttributes={
        "colour": {"DataType": "String", "StringValue": "blue"}})
    eventually(lambda: _bodies(aws) == ["one"], what="the message delivered")
    record = aws.events()[0]["Records"][0]
    assert set(record) == {"messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody",
                           "md5OfMessageAttributes", "eventSource", "eventSourceARN", "awsRegion"}
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == arn
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["colour"] == {"stringValue": "blue", "stringListValues": [],
                                                     "binaryListValues": [], "dataType": "String"}
    eventually(lambda: _depth(aws, url) == 0, what="the message deleted")
    stats = aws.mapping(created["UUID"])
    assert stats.last_result == "OK" and stats.records == 1


def test_a_failing_message_comes_back_then_goes_to_the_dead_letter_queue(aws: Aws) -> None:
    aws.function()
    dlq_url, dlq_arn = aws.queue("dead")
    url, arn = aws.queue("work", VisibilityTimeout="2", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}))
    aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=arn, BatchSize=1)
    aws.sqs.send_message(QueueUrl=url, MessageBody="poison pill")
    moved = eventually(lambda: aws.sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages"),
                       what="the message in the DLQ")
    assert moved[0]["Body"] == "poison pill"
    counts = [event["Records"][0]["attributes"]["ApproximateReceiveCount"] for event in aws.events()]
    assert counts == ["1", "2"]


def test_partial_batch_response_retries_only_the_reported_messages(aws: Aws) -> None:
    aws.function()
    dlq_url, dlq_arn = aws.queue("dead")
    url, arn = aws.queue("work", VisibilityTimeout="2", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"}))
    aws.sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": body}
                                                      for i, body in enumerate(["good-1", "bad", "good-2"])])
    aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=arn, BatchSize=10,
                                        FunctionResponseTypes=["ReportBatchItemFailures"])
    moved = eventually(lambda: aws.sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages"),
                       what="the reported message in the DLQ")
    assert [m["Body"] for m in moved] == ["bad"]
    assert sorted(set(_bodies(aws))) == ["bad", "good-1", "good-2"]
    assert _bodies(aws).count("good-1") == 1  # deleted after the first batch


@pytest.mark.parametrize("response", ['{"batchItemFailures":[{"itemIdentifier":"not-in-the-batch"}]}',
                                      '{"batchItemFailures":[{"itemIdentifer":"misnamed"}]}',
                                      '{"batchItemFailures":[{"itemIdentifier":""}]}'])
def test_a_malformed_partial_response_fails_the_whole_batch(aws: Aws, response: str) -> None:
    code = f"import json\ndef handler(event, context):\n    print('EVENT ' + json.dumps(event))\n" \
           f"    return json.loads({response!r})\n"
    aws.function(code=code)
    url, arn = aws.queue("work", VisibilityTimeout="2")
    created = aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=arn, BatchSize=1,
                                                  FunctionResponseTypes=["ReportBatchItemFailures"])
    aws.sqs.send_message(QueueUrl=url, MessageBody="m")
    eventually(lambda: len(aws.events()) >= 2, what="the message delivered again")
    assert aws.mapping(created["UUID"]).last_result.startswith("PROBLEM")


def test_fifo_messages_arrive_in_order_per_group(aws: Aws) -> None:
    aws.function()
    url, arn = aws.queue("ordered.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    for index in range(12):
        aws.sqs.send_message(QueueUrl=url, MessageBody=f"{'ab'[index % 2]}-{index}", MessageGroupId="ab"[index % 2])
    aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=arn, BatchSize=3)
    eventually(lambda: len(_bodies(aws)) == 12, what="every message delivered")
    for group in "ab":
        seen = [int(body.split("-")[1]) for body in _bodies(aws) if body.startswith(group)]
        assert seen == sorted(seen)
    record = aws.events()[0]["Records"][0]
    assert {"MessageGroupId", "MessageDeduplicationId"} <= set(record["attributes"])  # moto gives no SequenceNumber


def test_filtered_out_messages_are_deleted_and_not_delivered(aws: Aws) -> None:
    aws.function()
    url, arn = aws.queue("work")
    created = aws.lam.create_event_source_mapping(
        FunctionName="recorder", EventSourceArn=arn, BatchSize=10,
        FilterCriteria={"Filters": [
            {"Pattern": json.dumps({"body": {"kind": ["order"], "total": [{"numeric": [">", 10]}]}})},
            {"Pattern": json.dumps({"body": {"kind": [{"prefix": "vip-"}]}})}]})
    bodies = [{"kind": "order", "total": 5}, {"kind": "order", "total": 50}, {"kind": "vip-order"}, {"kind": "other"}]
    for body in bodies:
        aws.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
    eventually(lambda: _depth(aws, url) == 0, what="the queue emptied")
    delivered = sorted(json.loads(body)["kind"] + str(json.loads(body).get("total", "")) for body in _bodies(aws))
    assert delivered == ["order50", "vip-order"]
    assert aws.mapping(created["UUID"]).filtered_out == 2


def test_api_lifecycle_paging_and_disable(aws: Aws) -> None:
    aws.function()
    _, first = aws.queue("one")
    _, second = aws.queue("two")
    ids = [aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=arn)["UUID"]
           for arn in (first, second)]
    page = aws.lam.list_event_source_mappings(FunctionName="recorder", MaxItems=1)
    assert len(page["EventSourceMappings"]) == 1 and "NextMarker" in page
    rest = aws.lam.list_event_source_mappings(FunctionName="recorder", Marker=page["NextMarker"])
    assert {m["UUID"] for m in page["EventSourceMappings"] + rest["EventSourceMappings"]} == set(ids)
    assert [m["UUID"] for m in aws.lam.list_event_source_mappings(EventSourceArn=second)["EventSourceMappings"]] \
        == [ids[1]]
    updated = aws.lam.update_event_source_mapping(UUID=ids[0], Enabled=False, BatchSize=5)
    assert updated["State"] == "Disabling"
    assert aws.lam.get_event_source_mapping(UUID=ids[0])["State"] == "Disabled"
    assert aws.lam.delete_event_source_mapping(UUID=ids[0])["State"] == "Deleting"
    with pytest.raises(ClientError) as missing:
        aws.lam.get_event_source_mapping(UUID=ids[0])
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as duplicate:
        aws.lam.create_event_source_mapping(FunctionName="recorder", EventSourceArn=second)
    assert duplicate.value.response["Error"]["Code"] == "ResourceConflictException"


def _error(call: Any, **arguments: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**arguments)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_bad_input_gets_aws_messages(aws: Aws) -> None:
    aws.function()
    _, arn = aws.queue("work")
    _, fifo = aws.queue("ordered.fifo", FifoQueue="true")
    create = aws.lam.create_event_source_mapping
    assert _error(create, FunctionName="recorder", EventSourceArn=arn, BatchSize=100) == (
        "InvalidParameterValueException",
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
    assert _error(create, FunctionName="recorder", EventSourceArn=fifo, MaximumBatchingWindowInSeconds=5) == (
        "InvalidParameterValueException", "Batching window is not supported for FIFO queues")
    code, message = _error(create, FunctionName="recorder", EventSourceArn=arn.replace("work", "missing"))
    assert code == "InvalidParameterValueException" and "NonExistentQueue" in message
    assert _error(create, FunctionName="recorder", EventSourceArn=arn, BatchSize=20_000)[0] == "ValidationException"
    assert _error(create, FunctionName="recorder", EventSourceArn=arn, FilterCriteria={
        "Filters": [{"Pattern": "{not json"}]}) == ("InvalidParameterValueException",
                                                     "Invalid filter pattern definition.")
    assert _error(create, FunctionName="nobody", EventSourceArn=arn)[0] == "ResourceNotFoundException"
    stream = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"
    aws.kinesis.create_stream(StreamName="clicks", ShardCount=1)
    assert _error(create, FunctionName="recorder", EventSourceArn=stream) == (
        "InvalidParameterValueException", "1 validation error detected: Value null at 'startingPosition' failed to "
        "satisfy constraint: Member must not be null.")
    assert _error(create, FunctionName="recorder", EventSourceArn=stream, StartingPosition="SOMEWHERE") == (
        "ValidationException", "1 validation error detected: Value 'SOMEWHERE' at 'startingPosition' failed to "
        "satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]")
    assert _error(create, FunctionName="recorder", EventSourceArn=fifo, BatchSize=20) == (
        "InvalidParameterValueException", "Maximum batch size must be between 1 and 10 inclusive")
    assert _error(create, FunctionName="recorder", EventSourceArn=arn, MaximumRetryAttempts=3) == (
        "InvalidParameterValueException", "Unsupported MaximumRetryAttempts parameter for given event source "
        "mapping type.")
    missing = stream.replace("clicks", "nowhere")
    assert _error(create, FunctionName="recorder", EventSourceArn=missing, StartingPosition="LATEST") == (
        "InvalidParameterValueException", f"Stream not found: {missing}")
    table = aws.dynamodb.create_table(
        TableName="orders", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"]
    table_stream = table["LatestStreamArn"]
    assert _error(create, FunctionName="recorder", EventSourceArn=table_stream, StartingPosition="AT_TIMESTAMP",
                  StartingPositionTimestamp=1_700_000_000) == (
        "InvalidParameterValueException", f"Unsupported starting position for arn type: {table_stream}")
    assert _error(create, FunctionName="recorder", EventSourceArn=stream, StartingPosition="AT_TIMESTAMP",
                  StartingPositionTimestamp=4_000_000_000)[0] == "InvalidParameterValueException"
    # a stream mapping takes BatchSize 100 without a window (AWS's default for streams)
    assert create(FunctionName="recorder", EventSourceArn=stream, StartingPosition="LATEST",
                  BatchSize=100)["BatchSize"] == 100
