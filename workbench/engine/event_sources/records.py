"""The records Lambda hands a function, in AWS's exact shapes (spec §6), built from what the AWS SDK returns.

boto3 gives binary values as bytes and times as datetimes; Lambda's events carry base64 text and epoch numbers.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Mapping
from typing import Any


def _epoch(value: Any) -> float:
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    return float(value)


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def sqs_record(message: Mapping[str, Any], source_arn: str, region: str) -> dict[str, Any]:
    """One SQS message (ReceiveMessage with every attribute) as Lambda's SQS record."""
    attributes = dict(message.get("Attributes") or {})
    message_attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        shaped: dict[str, Any] = {}
        if "StringValue" in value:
            shaped["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            shaped["binaryValue"] = _b64(value["BinaryValue"])
        shaped["stringListValues"] = list(value.get("StringListValues") or [])
        shaped["binaryListValues"] = [_b64(item) for item in value.get("BinaryListValues") or []]
        shaped["dataType"] = value.get("DataType", "String")
        message_attributes[name] = shaped
    record: dict[str, Any] = {
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message.get("Body", ""),
        "attributes": attributes, "messageAttributes": message_attributes, "md5OfBody": message.get("MD5OfBody", ""),
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record.update({"eventSource": "aws:sqs", "eventSourceARN": source_arn, "awsRegion": region})
    return record


def kinesis_record(raw: Mapping[str, Any], shard_id: str, source_arn: str, region: str,
                   role: str) -> dict[str, Any]:
    """One Kinesis GetRecords record as Lambda's Kinesis record."""
    sequence = raw["SequenceNumber"]
    return {
        "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": raw["PartitionKey"], "sequenceNumber": sequence,
                    "data": _b64(raw["Data"]),
                    "approximateArrivalTimestamp": round(_epoch(raw["ApproximateArrivalTimestamp"]), 3)},
        "eventSource": "aws:kinesis", "eventVersion": "1.0", "eventID": f"{shard_id}:{sequence}",
        "eventName": "aws:kinesis:record", "invokeIdentityArn": role, "awsRegion": region,
        "eventSourceARN": source_arn,
    }


def _attribute_value(value: Any) -> Any:
    """DynamoDB JSON with binary members (B, BS, nested in M and L) as base64 text."""
    if isinstance(value, dict):
        return {key: _attribute_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_attribute_value(item) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return _b64(bytes(value))
    return value


def dynamodb_record(raw: Mapping[str, Any], source_arn: str, region: str) -> dict[str, Any]:
    """One DynamoDB Streams GetRecords record as Lambda's DynamoDB record."""
    change = dict(raw["dynamodb"])
    shaped: dict[str, Any] = {}
    if "ApproximateCreationDateTime" in change:
        shaped["ApproximateCreationDateTime"] = int(_epoch(change["ApproximateCreationDateTime"]))
    for key in ("Keys", "NewImage", "OldImage"):
        if key in change:
            shaped[key] = _attribute_value(change[key])
    for key in ("SequenceNumber", "SizeBytes", "StreamViewType"):
        if key in change:
            shaped[key] = change[key]
    record: dict[str, Any] = {
        "eventID": raw.get("eventID"), "eventName": raw.get("eventName"),
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb", "awsRegion": raw.get("awsRegion") or region, "dynamodb": shaped,
        "eventSourceARN": source_arn,
    }
    if raw.get("userIdentity"):
        record["userIdentity"] = dict(raw["userIdentity"])
    return record


def iso_millis(epoch: float) -> str:
    """2019-11-14T00:38:06.021Z, as failure records and tumbling windows write times."""
    moment = datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
