"""boto3 clients for the delivery tests' queues, topics and buses: they reach the engine's own local services
(moto, started on demand) through the workbench's one endpoint, where the deliveries go too."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.api.conftest import ServerThread, client

__all__ = ["client"]  # the fixture: a boto3 Lambda client of `server`, as in tests/api


#: A Python handler that sleeps for the event's "sleep" seconds, then fails if the event says "fail".
SLEEPS_OR_FAILS = """
import time
def handler(event, context):
    time.sleep(event.get("sleep", 0))
    if event.get("fail"):
        raise RuntimeError("it failed")
    return {"ok": True}
"""


def aws(service: str, url: str) -> Any:
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="x", config=Config(read_timeout=60))


def receive(sqs: Any, queue_url: str, wait_s: int = 20) -> dict[str, Any]:
    """The next message of a queue, with its attributes (long polling: returns as soon as one is there)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=wait_s, MessageAttributeNames=["All"],
                                     MaxNumberOfMessages=1)
        if answer.get("Messages"):
            message: dict[str, Any] = answer["Messages"][0]
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            return message
    raise AssertionError(f"no message arrived in {queue_url}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerThread]:
    """A real `workbench serve` whose retry delays run a thousand times faster (1 s of backoff is 1 ms)."""
    running = ServerThread(tmp_path / ".workbench", async_delay_scale=0.001).start()
    yield running
    running.stop()
