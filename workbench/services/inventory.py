"""What the local services hold, for `workbench resources` (and any face that wants a resource list): each
queue, topic, stream, table, event bus and bucket with its ARN or URL and an approximate size."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from workbench.services.local import client_for


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    kind: str          # the CloudFormation type
    name: str
    arn: str
    url: str | None    # a queue's URL
    size: str          # approximate: messages, shards, items, objects, subscriptions, rules

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def inventory(endpoint: str, region: str) -> list[ResourceInfo]:
    """Every resource at ``endpoint`` (blocking: call it in a thread)."""
    return [*_queues(endpoint, region), *_topics(endpoint, region), *_streams(endpoint, region),
            *_tables(endpoint, region), *_buses(endpoint, region), *_buckets(endpoint, region)]


def _queues(endpoint: str, region: str) -> list[ResourceInfo]:
    sqs = client_for("sqs", endpoint, region)
    found = []
    for url in sqs.list_queues().get("QueueUrls", []):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        size = (f"{attributes.get('ApproximateNumberOfMessages', '0')} messages "
                f"({attributes.get('ApproximateNumberOfMessagesNotVisible', '0')} in flight)")
        found.append(ResourceInfo("AWS::SQS::Queue", url.rsplit("/", 1)[-1], attributes["QueueArn"], url, size))
    return found


def _topics(endpoint: str, region: str) -> list[ResourceInfo]:
    sns = client_for("sns", endpoint, region)
    found = []
    for topic in sns.list_topics().get("Topics", []):
        arn = topic["TopicArn"]
        subscriptions = sns.list_subscriptions_by_topic(TopicArn=arn).get("Subscriptions", [])
        found.append(ResourceInfo("AWS::SNS::Topic", arn.rsplit(":", 1)[-1], arn, None,
                                  f"{len(subscriptions)} subscriptions"))
    return found


def _streams(endpoint: str, region: str) -> list[ResourceInfo]:
    kinesis = client_for("kinesis", endpoint, region)
    found = []
    for name in kinesis.list_streams().get("StreamNames", []):
        summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        found.append(ResourceInfo("AWS::Kinesis::Stream", name, summary["StreamARN"], None,
                                  f"{summary['OpenShardCount']} shards"))
    return found


def _tables(endpoint: str, region: str) -> list[ResourceInfo]:
    dynamodb = client_for("dynamodb", endpoint, region)
    found = []
    for name in dynamodb.list_tables().get("TableNames", []):
        table = dynamodb.describe_table(TableName=name)["Table"]
        stream = f", stream {table['LatestStreamArn']}" if table.get("LatestStreamArn") else ""
        found.append(ResourceInfo("AWS::DynamoDB::Table", name, table["TableArn"], None,
                                  f"{table.get('ItemCount', 0)} items{stream}"))
    return found


def _buses(endpoint: str, region: str) -> list[ResourceInfo]:
    events = client_for("events", endpoint, region)
    found = []
    for bus in events.list_event_buses().get("EventBuses", []):
        rules = events.list_rules(EventBusName=bus["Name"]).get("Rules", [])
        found.append(ResourceInfo("AWS::Events::EventBus", bus["Name"], bus["Arn"], None, f"{len(rules)} rules"))
    return found


def _buckets(endpoint: str, region: str) -> list[ResourceInfo]:
    s3 = client_for("s3", endpoint, region)
    found = []
    for bucket in s3.list_buckets().get("Buckets", []):
        listing = s3.list_objects_v2(Bucket=bucket["Name"], MaxKeys=1000)
        count = f"{listing.get('KeyCount', 0)}{'+' if listing.get('IsTruncated') else ''} objects"
        found.append(ResourceInfo("AWS::S3::Bucket", bucket["Name"], f"arn:aws:s3:::{bucket['Name']}", None, count))
    return found
