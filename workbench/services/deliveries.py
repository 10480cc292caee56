"""Pushes from the local services to the workbench's functions: SNS subscriptions with the `lambda` protocol,
EventBridge rules with Lambda targets, and S3 bucket notifications to Lambda.

moto cannot call the workbench's functions (it would try its own Lambda emulation), so the workbench delivers
them itself, the way these services do on AWS: asynchronously (Event invocations, with the engine's retries,
dead-letter queue and destinations). Each subscription, target or notification is made in moto against a
delivery queue of its own (`wb-deliver-...`): SNS → SQS and EventBridge → SQS and S3 → SQS are what moto
does faithfully (filter policies, event patterns, input transformers, S3 event filters). A poller per queue
turns each message into the event Lambda would receive (the SNS record with `EventSubscriptionArn`, the
EventBridge event or its transformed input, the S3 notification) and invokes the function asynchronously; the
message is deleted once the invocation is accepted, so nothing is lost while the engine is busy or stopped.

Visible differences from AWS: the topic's subscription is listed with the `sqs` protocol and the delivery
queue's ARN as its endpoint, the rule's target is the delivery queue, and the delivery queues are listed
among the local resources.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import urllib.parse
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

log = logging.getLogger(__name__)

Source = Literal["sns", "events", "s3"]
#: Invoke a function asynchronously: (name, payload, qualifier) → request id.
InvokeAsync = Callable[[str, bytes, str | None], Awaitable[str]]
#: A boto3 client of a service at the services' current endpoint (started on demand).
ClientFactory = Callable[[str], Awaitable[Any]]
Spawn = Callable[[Coroutine[Any, Any, None], str], "asyncio.Task[Any]"]

_FUNCTION_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[^:]*:[0-9]*:function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9_$-]+))?$")
_WAIT_S = 1  # long-poll wait: short enough that a replaced delivery stops promptly


@dataclass(frozen=True, slots=True)
class Delivery:
    """One push to a function: what the local service sends to ``queue_url`` goes to ``function``."""

    source: Source
    function: str
    qualifier: str | None
    queue_url: str
    #: The topic, rule or bucket it comes from, and for SNS the subscription (the record's
    #: EventSubscriptionArn).
    source_arn: str
    subscription_arn: str = ""


def function_target(arn: str) -> tuple[str, str | None] | None:
    """(function name, qualifier) of a Lambda function ARN, or None when ``arn`` is not one."""
    match = _FUNCTION_ARN.match(arn)
    return (match.group(1), match.group(2)) if match else None


def delivery_queue_name(source: Source, logical_id: str, function: str) -> str:
    """A queue name SQS accepts (at most 80 of [A-Za-z0-9_-]) that says what the queue carries."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"wb-deliver-{source}-{logical_id}-{function}")[:80]


# -- the events Lambda receives ---------------------------------------------------------------------------
def sns_event(body: dict[str, Any], subscription_arn: str) -> dict[str, Any]:
    """Lambda's SNS event from the notification SNS wrote to the queue (non-raw delivery): the same fields,
    with Lambda's spelling of the two URLs, a null Subject when there is none, and the attributes kept."""
    attributes = body.get("MessageAttributes") or {}
    return {"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "Sns": {
            "Type": body.get("Type", "Notification"),
            "MessageId": body.get("MessageId"),
            "TopicArn": body.get("TopicArn"),
            "Subject": body.get("Subject") or None,
            "Message": body.get("Message"),
            "Timestamp": body.get("Timestamp"),
            "SignatureVersion": body.get("SignatureVersion", "1"),
            "Signature": body.get("Signature", "EXAMPLE"),
            "SigningCertUrl": body.get("SigningCertURL") or body.get("SigningCertUrl"),
            "UnsubscribeUrl": body.get("UnsubscribeURL") or body.get("UnsubscribeUrl"),
            "MessageAttributes": {name: {"Type": value.get("Type"), "Value": value.get("Value")}
                                  for name, value in attributes.items() if isinstance(value, dict)},
        },
    }]}


def s3_event(body: dict[str, Any]) -> dict[str, Any] | None:
    """Lambda's S3 event from the notification S3 wrote to the queue, or None for the `s3:TestEvent` S3 sends
    when notifications are configured (it goes to queues, never to functions). Object keys are URL-encoded as
    AWS does (`+` for a space, `/` kept); moto also encodes the slashes, so keys are encoded again."""
    if body.get("Event") == "s3:TestEvent" or "Records" not in body:
        return None
    for record in body["Records"]:
        item = record.get("s3", {}).get("object", {})
        if isinstance(item.get("key"), str):
            item["key"] = urllib.parse.quote_plus(urllib.parse.unquote_plus(item["key"]), safe="/")
    return body


def payload_for(delivery: Delivery, body: str) -> bytes | None:
    """The invocation payload for one queued message (None: nothing to invoke). EventBridge's messages are the
    event already (after the target's Input, InputPath or InputTransformer)."""
    if delivery.source == "sns":
        return json.dumps(sns_event(json.loads(body), delivery.subscription_arn)).encode()
    if delivery.source == "s3":
        event = s3_event(json.loads(body))
        return json.dumps(event).encode() if event is not None else None
    return body.encode()


# -- the pollers ------------------------------------------------------------------------------------------
class PushDeliveries:
    """One long-polling task per delivery, replaced as a whole when the template's resources are made again
    (at start and when the local services restart)."""

    def __init__(self, clients: ClientFactory, invoke_async: InvokeAsync, spawn: Spawn,
                 refused: tuple[type[Exception], ...]) -> None:
        self._clients = clients
        self._invoke_async = invoke_async
        self._spawn = spawn
        #: What ``invoke_async`` raises for an event it will never take (the engine's Lambda errors).
        self._refused: tuple[type[Exception], ...] = (ValueError, *refused)
        self._tasks: list[asyncio.Task[Any]] = []
        self.deliveries: tuple[Delivery, ...] = ()
        #: Messages handed to functions so far (for statistics and tests).
        self.delivered = 0

    async def replace(self, deliveries: list[Delivery]) -> None:
        await self.close()
        self.deliveries = tuple(deliveries)
        for delivery in self.deliveries:
            self._tasks.append(self._spawn(self._poll(delivery),
                                           f"deliver-{delivery.source}-{delivery.function}"))

    async def close(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _poll(self, delivery: Delivery) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        backoff = 0.5
        while True:
            try:
                sqs = await self._clients("sqs")
                answer = await asyncio.to_thread(sqs.receive_message, QueueUrl=delivery.queue_url,
                                                 MaxNumberOfMessages=10, WaitTimeSeconds=_WAIT_S)
                backoff = 0.5
            except (BotoCoreError, ClientError, OSError) as exc:
                # The services are restarting (their resources, this queue included, are made again and this
                # poller replaced) or the external endpoint is away: try again, slower.
                log.debug("delivery queue %s: %s", delivery.queue_url, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            for message in answer.get("Messages", []):
                await self._deliver(delivery, message)
                await asyncio.to_thread(sqs.delete_message, QueueUrl=delivery.queue_url,
                                        ReceiptHandle=message["ReceiptHandle"])

    async def _deliver(self, delivery: Delivery, message: dict[str, Any]) -> None:
        """Invoke asynchronously. A message that can never be delivered (not JSON, an unknown function, a
        payload over the limit) is logged and dropped, as the service drops what Lambda refuses."""
        try:
            payload = payload_for(delivery, str(message.get("Body", "")))
            if payload is None:
                return
            await self._invoke_async(delivery.function, payload, delivery.qualifier)
            self.delivered += 1
        except self._refused as exc:
            log.warning("%s delivery from %s to %s dropped: %s", delivery.source, delivery.source_arn,
                        delivery.function, exc)
