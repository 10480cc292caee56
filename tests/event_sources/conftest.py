"""A real `workbench serve` (engine + API, moto behind the one endpoint) with fast polling, and boto3 clients of
Lambda, SQS, Kinesis and DynamoDB pointed at it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.api.conftest import ROLE, ServerThread, lambda_client, make_zip
from tests.helpers import wait_until_blocking
from workbench.engine import PollerSettings

FAST = PollerSettings(sqs_wait_s=1, sqs_scale_interval_s=0.2, kinesis_poll_interval_s=0.1,
                      dynamodb_poll_interval_s=0.1, retry_delay_s=0.1, retry_delay_max_s=0.5, shard_refresh_s=5)

#: Prints every event (one line, "EVENT {json}") and is slow, fails, reports failures or grows its window state
#: past 1 MB as the records ask.
RECORDER = """
import base64, json, time
def body_of(record):
    if "body" in record:
        return record["body"]
    if "kinesis" in record:
        return base64.b64decode(record["kinesis"]["data"]).decode()
    return json.dumps(record["dynamodb"].get("Keys"))
def handler(event, context):
    shown = dict(event)
    if "pad" in event.get("state", {}):  # a megabyte of state: its length is enough to see
        shown["state"] = {**event["state"], "pad": len(event["state"]["pad"])}
    print("EVENT " + json.dumps(shown))
    bodies = [body_of(r) for r in event.get("Records", [])]
    for body in bodies:  # "slow:<seconds>:..." takes that long
        if body.startswith("slow:"):
            time.sleep(float(body.split(":")[1]))
    if any("poison" in b for b in bodies):
        raise ValueError("poison")
    if "window" in event:
        state = dict(event["state"])
        state["count"] = state.get("count", 0) + len(bodies)
        if "big" in bodies:
            state["pad"] = "x" * (1024 * 1024 + 10)
        return {"state": state}
    failed = [r for r in event.get("Records", []) if "bad" in body_of(r)]
    if failed:
        key = "messageId" if "messageId" in failed[0] else None
        ids = [r["messageId"] if key else (r.get("kinesis") or r.get("dynamodb"))["sequenceNumber" if "kinesis" in r
               else "SequenceNumber"] for r in failed]
        return {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}
    return {"ok": len(bodies)}
"""


class Aws:
    """The server and its clients."""

    def __init__(self, server: ServerThread) -> None:
        self.server = server
        options = Config(retries={"total_max_attempts": 1}, read_timeout=60)
        common: dict[str, Any] = {"endpoint_url": server.url, "region_name": "us-east-1",
                                  "aws_access_key_id": "x", "aws_secret_access_key": "x", "config": options}
        self.lam = lambda_client(server.url)
        self.sqs = boto3.client("sqs", **common)
        self.kinesis = boto3.client("kinesis", **common)
        self.dynamodb = boto3.client("dynamodb", **common)
        self.sns = boto3.client("sns", **common)

    def function(self, name: str = "recorder", code: str = RECORDER, timeout: int = 1) -> str:
        """A function; its short timeout keeps Lambda's visibility extension (window + timeout + 30 s when they
        exceed the queue's visibility timeout) out of the tests with short visibility timeouts."""
        return str(self.lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE,
                                            Handler="app.handler", Code={"ZipFile": make_zip({"app.py": code})},
                                            Timeout=timeout)["FunctionArn"])

    def queue(self, name: str, **attributes: str) -> tuple[str, str]:
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def events(self, function: str = "recorder") -> list[dict[str, Any]]:
        """Every event the function printed so far, in order."""
        engine = self.server.engine
        assert engine is not None
        lines = self.server.call(engine.logs(function, text="EVENT ", limit=100_000))
        return [json.loads(line.message.split("EVENT ", 1)[1]) for line in lines if "EVENT {" in line.message]

    def mapping(self, mapping_id: str) -> Any:
        engine = self.server.engine
        assert engine is not None
        return engine.statistics().mapping(mapping_id)

    def close(self) -> None:
        for client in (self.lam, self.sqs, self.kinesis, self.dynamodb, self.sns):
            client.close()


def eventually(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Wait for ``predicate`` to hold (it asks the server over HTTP; nothing to subscribe to from here)."""
    return wait_until_blocking(predicate, what, timeout=timeout, interval=0.1)


@pytest.fixture
def aws(tmp_path: Path) -> Iterator[Aws]:
    server = ServerThread(tmp_path / ".workbench", event_sources=FAST).start()
    made = Aws(server)
    yield made
    made.close()
    server.stop()
