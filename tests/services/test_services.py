"""The services behind the one endpoint, with real boto3 clients: SQS, SNS -> SQS, Kinesis, DynamoDB
streams, EventBridge -> SQS and S3."""

from __future__ import annotations

import json
import uuid

from tests.api.conftest import ServerThread
from tests.services.conftest import aws


def test_sqs_send_receive_delete_with_visibility_timeout(served: ServerThread) -> None:
    sqs = aws(served.url, "sqs")
    url = sqs.create_queue(QueueName=f"vis-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    first = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert [m["Body"] for m in first] == ["hello"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # invisible while its timeout runs
    # A long poll returns as soon as the message is visible again (after 1 s), received a second time.
    again = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10, AttributeNames=["ApproximateReceiveCount"])
    assert again["Messages"][0]["Attributes"]["ApproximateReceiveCount"] == "2"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["Messages"][0]["ReceiptHandle"])
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_sns_fans_out_to_sqs(served: ServerThread) -> None:
    sns, sqs = aws(served.url, "sns"), aws(served.url, "sqs")
    topic = sns.create_topic(Name=f"news-{uuid.uuid4().hex[:8]}")["TopicArn"]
    urls = [sqs.create_queue(QueueName=f"reader-{i}-{uuid.uuid4().hex[:8]}")["QueueUrl"] for i in range(2)]
    for url in urls:
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    sns.publish(TopicArn=topic, Message="breaking", Subject="news")
    for url in urls:
        message = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"][0]
        envelope = json.loads(message["Body"])
        assert envelope["Type"] == "Notification" and envelope["Message"] == "breaking"
        assert envelope["TopicArn"] == topic


def test_template_subscription_delivers_raw_messages(served: ServerThread) -> None:
    sns, sqs = aws(served.url, "sns"), aws(served.url, "sqs")
    url = sqs.get_queue_url(QueueName="wb-work")["QueueUrl"]
    sns.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:fanout", Message="raw body")
    message = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"][0]
    assert message["Body"] == "raw body"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_kinesis_put_and_get_records(served: ServerThread) -> None:
    kinesis = aws(served.url, "kinesis")
    for number in range(3):
        kinesis.put_record(StreamName="clicks", Data=f"click-{number}".encode(), PartitionKey="user-1")
    shards = kinesis.list_shards(StreamName="clicks")["Shards"]
    assert len(shards) == 2
    data = []
    for shard in shards:
        iterator = kinesis.get_shard_iterator(StreamName="clicks", ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        data += [record["Data"] for record in kinesis.get_records(ShardIterator=iterator)["Records"]]
    assert data == [b"click-0", b"click-1", b"click-2"]  # one partition key: one shard, in order


def test_dynamodb_stream_yields_insert_modify_remove(served: ServerThread) -> None:
    dynamodb, streams = aws(served.url, "dynamodb"), aws(served.url, "dynamodbstreams")
    key = {"pk": {"S": f"order-{uuid.uuid4().hex[:8]}"}}
    dynamodb.put_item(TableName="orders", Item={**key, "state": {"S": "new"}})
    dynamodb.update_item(TableName="orders", Key=key, UpdateExpression="SET #s = :s",
                         ExpressionAttributeNames={"#s": "state"}, ExpressionAttributeValues={":s": {"S": "paid"}})
    dynamodb.delete_item(TableName="orders", Key=key)
    stream_arn = dynamodb.describe_table(TableName="orders")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = [r for r in streams.get_records(ShardIterator=iterator)["Records"] if r["dynamodb"]["Keys"] == key]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert records[1]["dynamodb"]["OldImage"]["state"] == {"S": "new"}
    assert records[1]["dynamodb"]["NewImage"]["state"] == {"S": "paid"}


def test_eventbridge_rule_delivers_to_sqs(served: ServerThread) -> None:
    events, sqs = aws(served.url, "events"), aws(served.url, "sqs")
    detail = {"order": uuid.uuid4().hex}
    answer = events.put_events(Entries=[
        {"EventBusName": "shop", "Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": json.dumps(detail)},
        {"EventBusName": "shop", "Source": "shop.other", "DetailType": "Ignored", "Detail": "{}"},
    ])
    assert answer["FailedEntryCount"] == 0
    url = sqs.get_queue_url(QueueName="Ordered.fifo")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10, MaxNumberOfMessages=10)["Messages"]
    bodies = [json.loads(m["Body"]) for m in messages]
    assert [(b["source"], b["detail"]) for b in bodies] == [("shop.orders", detail)]


def test_s3_put_and_get(served: ServerThread) -> None:
    s3 = aws(served.url, "s3")
    body = bytes(range(256)) * 1000
    s3.put_object(Bucket="wb-uploads", Key="folder/a file+name.bin", Body=body, ContentType="application/x-test")
    head = s3.head_object(Bucket="wb-uploads", Key="folder/a file+name.bin")
    assert head["ContentLength"] == len(body) and head["ContentType"] == "application/x-test"
    assert s3.get_object(Bucket="wb-uploads", Key="folder/a file+name.bin")["Body"].read() == body
    listed = s3.list_objects_v2(Bucket="wb-uploads", Prefix="folder/")["Contents"]
    assert [o["Key"] for o in listed] == ["folder/a file+name.bin"]
