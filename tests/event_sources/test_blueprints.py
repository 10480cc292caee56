"""The blueprints' triggers end to end: `workbench new` a blueprint, start the project, send a real message or
record to the queue, stream or table the blueprint declared, and see its function process it through the
template's event source mapping. One per trigger kind: SQS (Python), Kinesis (Node.js), DynamoDB (Python)."""

from __future__ import annotations

import asyncio
import functools
import json
from pathlib import Path
from typing import Any

from tests.event_sources.conftest import FAST
from tests.helpers import wait_until
from workbench.cli import main
from workbench.engine import Engine, EngineSettings
from workbench.model.project import load_project

until = functools.partial(wait_until, timeout=60.0, interval=0.05)  # the condition asks the engine


def _new(blueprint: str, root: Path) -> Path:
    assert main(["new", blueprint, "--project", str(root)]) == 0
    return root


async def _lines(engine: Engine, function: str) -> list[str]:
    return [line.message for line in await engine.logs(function, limit=10_000)]


def _mapping(engine: Engine) -> Any:
    (only,) = engine.statistics().event_source_mappings
    return only


async def test_the_sqs_blueprint_processes_a_message_from_its_queue(tmp_path: Path) -> None:
    async with Engine(load_project(_new("sqs-batch-python", tmp_path)),
                      settings=EngineSettings(event_sources=FAST)) as engine:
        sqs = engine.services.client("sqs", "us-east-1")
        url = engine.resource_attributes["SqsBatchPythonQueue"]["Ref"]
        await asyncio.to_thread(sqs.send_message, QueueUrl=url, MessageBody=json.dumps({"orderId": "o-1",
                                                                                         "amount": 12.5}))
        await asyncio.to_thread(sqs.send_message, QueueUrl=url, MessageBody="not an order")

        async def processed() -> bool:
            lines = await _lines(engine, "sqs-batch-python")
            return any("order o-1: 12.5" in line for line in lines) and any("failed: not JSON" in line
                                                                           for line in lines)

        await until(processed)
        # the partial response: the good message is deleted, the bad one waits out the visibility timeout
        attributes = await asyncio.to_thread(sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["All"])
        assert attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "1"
        assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "0"


async def test_the_kinesis_blueprint_processes_a_record_from_its_stream(tmp_path: Path) -> None:
    async with Engine(load_project(_new("kinesis-stream-nodejs", tmp_path)),
                      settings=EngineSettings(event_sources=FAST)) as engine:
        kinesis = engine.services.client("kinesis", "us-east-1")
        stream = engine.resource_attributes["KinesisStreamNodejsStream"]["Ref"]

        async def reading() -> bool:  # StartingPosition LATEST: from the reader's first read on
            return _mapping(engine).iterator_age_s is not None

        await until(reading)
        await asyncio.to_thread(kinesis.put_record, StreamName=stream, PartitionKey="s-1",
                                Data=json.dumps({"sensor": "s-1", "value": 4.5}).encode())

        async def processed() -> bool:
            stats = _mapping(engine)
            return bool(stats.records == 1 and stats.last_result == "OK")

        await until(processed)
        assert any(line.startswith("REPORT RequestId") for line in await _lines(engine, "kinesis-stream-nodejs"))


async def test_the_dynamodb_blueprint_processes_a_change_of_its_table(tmp_path: Path) -> None:
    async with Engine(load_project(_new("dynamodb-stream-python", tmp_path)),
                      settings=EngineSettings(event_sources=FAST)) as engine:
        dynamodb = engine.services.client("dynamodb", "us-east-1")
        table = engine.resource_attributes["DynamodbStreamPythonTable"]["Ref"]
        await asyncio.to_thread(dynamodb.put_item, TableName=table, Item={"id": {"S": "101"},
                                                                          "name": {"S": "towel"}})

        async def processed() -> bool:
            return any(line.strip() == "INSERT 101" for line in await _lines(engine, "dynamodb-stream-python"))

        await until(processed)
