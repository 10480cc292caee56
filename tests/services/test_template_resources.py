"""Each template resource exists in the local services with its properties, and the functions' references
name the real resources."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tests.api.conftest import ServerThread
from tests.services.conftest import aws


def test_queues_with_their_properties(served: ServerThread) -> None:
    sqs = aws(served.url, "sqs")
    work_url = sqs.get_queue_url(QueueName="wb-work")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=work_url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "2"
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == "arn:aws:sqs:us-east-1:123456789012:wb-dead-letters"
    assert int(redrive["maxReceiveCount"]) == 3
    fifo_url = sqs.get_queue_url(QueueName="Ordered.fifo")["QueueUrl"]
    fifo = sqs.get_queue_attributes(QueueUrl=fifo_url, AttributeNames=["All"])["Attributes"]
    assert fifo["FifoQueue"] == "true" and fifo["ContentBasedDeduplication"] == "true"


def test_topic_and_subscription(served: ServerThread) -> None:
    sns = aws(served.url, "sns")
    topic = "arn:aws:sns:us-east-1:123456789012:fanout"
    assert topic in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [
        ("sqs", "arn:aws:sqs:us-east-1:123456789012:wb-work")]
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscriptions[0]["SubscriptionArn"])
    assert attributes["Attributes"]["RawMessageDelivery"] == "true"


def test_stream_table_bus_rule_bucket(served: ServerThread) -> None:
    summary = aws(served.url, "kinesis").describe_stream_summary(StreamName="clicks")["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 2
    dynamodb = aws(served.url, "dynamodb")
    orders = dynamodb.describe_table(TableName="orders")["Table"]
    assert orders["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert orders["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    simple = dynamodb.describe_table(TableName="Simple")["Table"]
    assert simple["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    events = aws(served.url, "events")
    assert events.describe_event_bus(Name="shop")["Arn"] == "arn:aws:events:us-east-1:123456789012:event-bus/shop"
    rule = events.describe_rule(Name="OrderPlaced", EventBusName="shop")
    assert json.loads(rule["EventPattern"]) == {"source": ["shop.orders"]}
    targets = events.list_targets_by_rule(Rule="OrderPlaced", EventBusName="shop")["Targets"]
    assert [t["Arn"] for t in targets] == ["arn:aws:sqs:us-east-1:123456789012:Ordered.fifo"]
    assert "wb-uploads" in [b["Name"] for b in aws(served.url, "s3").list_buckets()["Buckets"]]


def test_function_references_resolve_to_the_real_resources(served: ServerThread) -> None:
    assert served.engine is not None
    variables: Mapping[str, Any] = served.engine.function("py-writer").environment
    work = served.engine.resource_attributes["Work"]
    assert variables["QUEUE_URL"] == work["QueueUrl"] and work["QueueUrl"].endswith("/123456789012/wb-work")
    assert variables["QUEUE_NAME"] == "wb-work"
    assert variables["TABLE"] == "Simple"
    assert variables["STREAM_ARN"].startswith("arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/")
    assert variables["BUS_ARN"] == "arn:aws:events:us-east-1:123456789012:event-bus/shop"
    assert served.engine.function("node-writer").environment["QUEUE_URL"] == work["QueueUrl"]
