"""The template resource types the workbench creates in the local services: their properties and names.

Each type lists every property CloudFormation documents for it. Properties that only mean something in the
cloud (tags, encryption keys, backups) are accepted and not applied; a property not in the list is a typo
and a template error, as CloudFormation's own validation would make it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

SQS_QUEUE = "AWS::SQS::Queue"
SNS_TOPIC = "AWS::SNS::Topic"
SNS_SUBSCRIPTION = "AWS::SNS::Subscription"
KINESIS_STREAM = "AWS::Kinesis::Stream"
DYNAMODB_TABLE = "AWS::DynamoDB::Table"
SIMPLE_TABLE = "AWS::Serverless::SimpleTable"
EVENT_BUS = "AWS::Events::EventBus"
EVENT_RULE = "AWS::Events::Rule"
S3_BUCKET = "AWS::S3::Bucket"

#: Types the template loader reads itself: never "unsupported".
READ_ELSEWHERE = frozenset({
    "AWS::Serverless::Function", "AWS::Serverless::LayerVersion", "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
})


@dataclass(frozen=True, slots=True)
class ResourceType:
    properties: frozenset[str]
    #: The property holding the physical name, if the type has one.
    name_property: str | None = None
    #: Checks a name; returns what is wrong with it, or None.
    check_name: Callable[[str, dict[str, object]], str | None] | None = None


def _queue_name(name: str, props: dict[str, object]) -> str | None:
    fifo = str(props.get("FifoQueue", "false")).lower() == "true"
    stem = name[:-5] if name.endswith(".fifo") else name
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,75}", stem) or len(name) > 80:
        return f"queue name {name!r}: only letters, digits, hyphens and underscores, 1 to 80 characters"
    if fifo != name.endswith(".fifo"):
        return f"queue name {name!r}: a FIFO queue's name must end in .fifo, and only a FIFO queue's may"
    return None


def _topic_name(name: str, props: dict[str, object]) -> str | None:
    fifo = str(props.get("FifoTopic", "false")).lower() == "true"
    stem = name[:-5] if fifo and name.endswith(".fifo") else name
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", stem):
        return f"topic name {name!r}: only letters, digits, hyphens and underscores, 1 to 256 characters"
    if fifo != name.endswith(".fifo"):
        return f"topic name {name!r}: a FIFO topic's name must end in .fifo, and only a FIFO topic's may"
    return None


def _pattern(regex: str, what: str) -> Callable[[str, dict[str, object]], str | None]:
    def check(name: str, props: dict[str, object]) -> str | None:
        return None if re.fullmatch(regex, name) else f"{what} {name!r}"
    return check


def _bucket_name(name: str, props: dict[str, object]) -> str | None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", name) or ".." in name or \
            re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name):
        return (f"bucket name {name!r}: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending "
                "with a letter or digit")
    return None


TYPES: dict[str, ResourceType] = {
    SQS_QUEUE: ResourceType(frozenset({
        "QueueName", "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
        "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "Tags"}), "QueueName", _queue_name),
    SNS_TOPIC: ResourceType(frozenset({
        "TopicName", "DisplayName", "FifoTopic", "ContentBasedDeduplication", "Subscription", "Tags",
        "KmsMasterKeyId", "SignatureVersion", "TracingConfig", "DataProtectionPolicy", "ArchivePolicy",
        "DeliveryStatusLogging", "FifoThroughputScope"}), "TopicName", _topic_name),
    SNS_SUBSCRIPTION: ResourceType(frozenset({
        "TopicArn", "Protocol", "Endpoint", "RawMessageDelivery", "FilterPolicy", "FilterPolicyScope",
        "RedrivePolicy", "Region", "DeliveryPolicy", "SubscriptionRoleArn", "ReplayPolicy"})),
    KINESIS_STREAM: ResourceType(frozenset({
        "Name", "ShardCount", "RetentionPeriodHours", "StreamModeDetails", "StreamEncryption", "Tags",
        "DesiredShardLevelMetrics"}), "Name",
        _pattern(r"[a-zA-Z0-9_.-]{1,128}", "stream name (letters, digits, '_.-', 1 to 128 characters)")),
    DYNAMODB_TABLE: ResourceType(frozenset({
        "TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
        "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification", "TimeToLiveSpecification",
        "Tags", "SSESpecification", "PointInTimeRecoverySpecification", "DeletionProtectionEnabled", "TableClass",
        "ContributorInsightsSpecification", "KinesisStreamSpecification", "ImportSourceSpecification",
        "OnDemandThroughput", "ResourcePolicy", "WarmThroughput"}), "TableName",
        _pattern(r"[a-zA-Z0-9_.-]{3,255}", "table name (letters, digits, '_.-', 3 to 255 characters)")),
    SIMPLE_TABLE: ResourceType(frozenset({
        "TableName", "PrimaryKey", "ProvisionedThroughput", "SSESpecification", "Tags",
        "PointInTimeRecoverySpecification", "StreamSpecification"}), "TableName",
        _pattern(r"[a-zA-Z0-9_.-]{3,255}", "table name (letters, digits, '_.-', 3 to 255 characters)")),
    EVENT_BUS: ResourceType(frozenset({
        "Name", "EventSourceName", "Tags", "Description", "KmsKeyIdentifier", "DeadLetterConfig", "Policy",
        "LogConfig"}), "Name",
        _pattern(r"[/.\-_A-Za-z0-9]{1,256}", "event bus name (letters, digits, '/._-', 1 to 256 characters)")),
    EVENT_RULE: ResourceType(frozenset({
        "Name", "EventBusName", "EventPattern", "ScheduleExpression", "State", "Targets", "Description",
        "RoleArn"}), "Name",
        _pattern(r"[.\-_A-Za-z0-9]{1,64}", "rule name (letters, digits, '._-', 1 to 64 characters)")),
    S3_BUCKET: ResourceType(frozenset({
        "BucketName", "VersioningConfiguration", "Tags", "CorsConfiguration", "LifecycleConfiguration",
        "PublicAccessBlockConfiguration", "BucketEncryption", "OwnershipControls", "NotificationConfiguration",
        "AccessControl", "WebsiteConfiguration", "LoggingConfiguration", "ObjectLockEnabled",
        "ObjectLockConfiguration", "IntelligentTieringConfigurations", "MetricsConfigurations",
        "InventoryConfigurations", "AnalyticsConfigurations", "AccelerateConfiguration", "ReplicationConfiguration",
        "MetadataTableConfiguration"}), "BucketName", _bucket_name),
}
