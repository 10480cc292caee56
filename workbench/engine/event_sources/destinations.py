"""OnFailure destinations of stream mappings: AWS's failure record (spec §6.2) sent to an SQS queue or SNS topic
through the SDK."""

from __future__ import annotations

import json
from typing import Any

from workbench.engine.event_sources.clients import SdkClients, queue_url


async def send_failure_record(clients: SdkClients, destination: str, record: dict[str, Any]) -> None:
    body = json.dumps(record)
    service = destination.split(":")[2]
    if service == "sqs":
        await clients.call("sqs", "send_message", QueueUrl=await queue_url(clients, destination), MessageBody=body)
    elif service == "sns":
        await clients.call("sns", "publish", TopicArn=destination, Message=body)
    else:  # settle() admits only these two
        raise ValueError(f"unsupported destination {destination}")


def failure_record(*, request_id: str, function_arn: str, condition: str, invoke_count: int, status_code: int,
                   executed_version: str | None, function_error: str | None, timestamp: str, info_key: str,
                   batch_info: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = {"statusCode": status_code, "executedVersion": executed_version,
                                "functionError": function_error}
    return {
        "requestContext": {"requestId": request_id, "functionArn": function_arn, "condition": condition,
                           "approximateInvokeCount": invoke_count},
        "responseContext": response, "version": "1.0", "timestamp": timestamp, info_key: batch_info,
    }
