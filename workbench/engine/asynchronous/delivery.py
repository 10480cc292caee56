"""Sending to SQS queues, SNS topics and EventBridge buses through the AWS SDK (boto3), at the endpoint
`EngineSettings.aws_endpoint` names (the workbench's local services, or an external endpoint).

boto3 blocks, so every call runs in a thread (`asyncio.to_thread`). Clients are made once per service and
reused (boto3 clients are thread-safe once built; building one is not, hence the lock). Credentials are never
looked up from the machine's metadata service: the environment's, or placeholders (the local services accept
any), are passed explicitly.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from dataclasses import dataclass
from typing import Any

from workbench.engine.core.errors import InvalidParameterValueError
from workbench.engine.core.settings import EngineSettings

SERVICES = ("sqs", "sns", "events", "lambda")


@dataclass(frozen=True, slots=True)
class TargetArn:
    arn: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def name(self) -> str:
        """The queue's, topic's or bus's name (`event-bus/NAME` for EventBridge)."""
        return self.resource.split("/", 1)[1] if self.service == "events" and "/" in self.resource \
            else self.resource


def parse_target(arn: str) -> TargetArn | None:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[5]:
        return None
    return TargetArn(arn, parts[2], parts[3], parts[4], parts[5])


class DeliveryError(Exception):
    """A target could not be reached or refused the message; the text says which and why."""


class Deliverer:
    def __init__(self, settings: EngineSettings) -> None:
        self._settings = settings
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> str | None:
        return self._settings.aws_endpoint

    def _client(self, service: str, region: str) -> Any:
        endpoint = self.endpoint
        if endpoint is None:
            raise DeliveryError("no AWS endpoint is configured (EngineSettings.aws_endpoint) to deliver to")
        with self._lock:
            client = self._clients.get((service, region))
            if client is None:
                # boto3 takes ~0.3 s to import: only once something is sent
                import boto3
                from botocore.config import Config

                client = boto3.session.Session().client(
                    service, endpoint_url=endpoint, region_name=region or self._settings.region,
                    aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "workbench"),
                    aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "workbench"),
                    aws_session_token=os.environ.get("AWS_SESSION_TOKEN"),
                    config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5,
                                  read_timeout=30))
                self._clients[(service, region)] = client
            return client

    async def _call(self, target: TargetArn, operation: str, **members: Any) -> Any:
        def call() -> Any:
            client = self._client(target.service, target.region)
            try:
                return getattr(client, operation)(**members)
            except Exception as exc:  # botocore's errors, connection failures: all one thing to the queue
                raise DeliveryError(f"{target.arn}: {type(exc).__name__}: {exc}") from exc

        return await asyncio.to_thread(call)

    async def _queue_url(self, target: TargetArn) -> str:
        answer = await self._call(target, "get_queue_url", QueueName=target.name,
                                  QueueOwnerAWSAccountId=target.account)
        return str(answer["QueueUrl"])

    # -- sending ----------------------------------------------------------------------------------------
    async def send_record(self, arn: str, record: dict[str, Any], detail_type: str, source_arn: str) -> None:
        """An invocation record to an SQS, SNS or EventBridge destination (Lambda ones the queue invokes)."""
        target = self._parse(arn)
        if target.service == "events":
            answer = await self._call(target, "put_events", Entries=[{
                "Source": "lambda", "DetailType": detail_type, "Detail": json.dumps(record),
                "EventBusName": arn, "Resources": [source_arn]}])
            if answer.get("FailedEntryCount"):
                raise DeliveryError(f"{arn}: {answer['Entries'][0].get('ErrorMessage', 'the entry was refused')}")
        else:
            await self.send_message(arn, json.dumps(record), None)

    async def send_message(self, arn: str, body: str, attributes: dict[str, tuple[str, str]] | None) -> None:
        """``body`` to an SQS queue or SNS topic; ``attributes`` maps names to (DataType, value)."""
        target = self._parse(arn)
        shaped = {name: {"DataType": kind, "StringValue": value} for name, (kind, value) in (attributes or {}).items()}
        if target.service == "sqs":
            url = await self._queue_url(target)
            await self._call(target, "send_message", QueueUrl=url, MessageBody=body, MessageAttributes=shaped)
        elif target.service == "sns":
            await self._call(target, "publish", TopicArn=arn, Message=body, MessageAttributes=shaped)
        else:
            raise DeliveryError(f"{arn}: cannot send a message to a {target.service} resource")

    # -- checking ---------------------------------------------------------------------------------------
    async def exists(self, arn: str) -> bool | None:
        """Whether a queue, topic or bus exists; None when that cannot be known (no endpoint, not reachable)."""
        target = self._parse(arn)
        if self.endpoint is None:
            return None
        try:
            if target.service == "sqs":
                await self._queue_url(target)
            elif target.service == "sns":
                await self._call(target, "get_topic_attributes", TopicArn=arn)
            elif target.service == "events":
                await self._call(target, "describe_event_bus", Name=arn)
            else:
                return None
        except DeliveryError as exc:
            cause = exc.__cause__
            if cause is not None and type(cause).__name__ in ("EndpointConnectionError", "ConnectTimeoutError"):
                return None
            return False
        return True

    @staticmethod
    def _parse(arn: str) -> TargetArn:
        target = parse_target(arn)
        if target is None:
            raise InvalidParameterValueError(f"The destination ARN {arn} is invalid.")
        return target
