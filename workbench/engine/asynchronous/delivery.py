"""Sending to SQS queues, SNS topics, EventBridge buses and S3 buckets through the AWS SDK (boto3), at the engine's
services endpoint (`engine.services`): the external endpoint when `EngineSettings.aws_endpoint` names one,
otherwise the workbench's local services (moto), started on the first delivery if nothing started them yet.

boto3 blocks, so every call runs in a thread (`asyncio.to_thread`). Clients are made once per endpoint and
service and reused (boto3 clients are thread-safe once built; building one is not, hence the lock).
Credentials are never looked up from the machine's metadata service: the environment's, or the placeholders
the local services accept, are passed explicitly.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from workbench.engine.core.errors import InvalidParameterValueError
from workbench.services.local import DUMMY_CREDENTIALS, LocalServices, ServicesError

SERVICES = ("sqs", "sns", "events", "lambda", "s3")


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


def s3_record_key(function: str, now: float) -> str:
    """Where an S3 OnFailure destination gets a record (AWS's naming, in UTC)."""
    moment = time.gmtime(now)
    return (f"aws/lambda/async/{function}/{time.strftime('%Y/%m/%d', moment)}/"
            f"{time.strftime('%Y-%m-%dT%H.%M.%S', moment)}-{uuid.uuid4()}")


class DeliveryError(Exception):
    """A target could not be reached or refused the message; the text says which and why."""


class Deliverer:
    def __init__(self, services: LocalServices, region: str) -> None:
        self._services = services
        self._region = region
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        """Where deliveries go, for messages: the external endpoint, or the local services."""
        return self._services.external_endpoint or "the local AWS services"

    async def endpoint(self) -> str:
        """The URL deliveries go to (the local services are started if they are not running)."""
        try:
            return await self._services.ensure_started()
        except ServicesError as exc:
            raise DeliveryError(f"the local AWS services could not be started: {exc}") from exc

    def _client(self, endpoint: str, service: str, region: str) -> Any:
        with self._lock:
            client = self._clients.get((endpoint, service, region))
            if client is None:
                # boto3 takes ~0.3 s to import: only once something is sent
                import boto3
                from botocore.config import Config

                real = self._services.external_endpoint is not None and os.environ.get("AWS_ACCESS_KEY_ID")
                client = boto3.session.Session().client(
                    service, endpoint_url=endpoint, region_name=region or self._region,
                    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"] if real
                    else DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                    aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY") if real
                    else DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                    aws_session_token=os.environ.get("AWS_SESSION_TOKEN") if real else None,
                    config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5,
                                  read_timeout=30))
                self._clients[(endpoint, service, region)] = client
            return client

    async def _call(self, target: TargetArn, operation: str, **members: Any) -> Any:
        endpoint = await self.endpoint()

        def call() -> Any:
            client = self._client(endpoint, target.service, target.region)
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

    async def put_record(self, arn: str, record: dict[str, Any], function: str, now: float) -> None:
        """An invocation record as an object of an S3 bucket (OnFailure only), named as AWS names it:
        ``aws/lambda/async/<function-name>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>`` (UTC)."""
        target = self._parse(arn)
        await self._call(target, "put_object", Bucket=target.name, Key=s3_record_key(function, now),
                         Body=json.dumps(record).encode(), ContentType="application/json")

    # -- checking ---------------------------------------------------------------------------------------
    async def exists(self, arn: str) -> bool | None:
        """Whether a queue, topic or bus exists; None when that cannot be known (the endpoint is not reachable)."""
        target = self._parse(arn)
        try:
            if target.service == "sqs":
                await self._queue_url(target)
            elif target.service == "sns":
                await self._call(target, "get_topic_attributes", TopicArn=arn)
            elif target.service == "events":
                await self._call(target, "describe_event_bus", Name=arn)
            elif target.service == "s3":
                await self._call(target, "head_bucket", Bucket=target.name)
            else:
                return None
        except DeliveryError as exc:
            cause = exc.__cause__
            if isinstance(cause, ServicesError) or \
                    type(cause).__name__ in ("EndpointConnectionError", "ConnectTimeoutError"):
                return None
            return False
        return True

    @staticmethod
    def _parse(arn: str) -> TargetArn:
        target = parse_target(arn)
        if target is None:
            raise InvalidParameterValueError(f"The destination ARN {arn} is invalid.")
        return target
