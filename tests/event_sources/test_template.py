"""The template path: a SAM function's `Events` of type SQS, Kinesis and DynamoDB become mappings at start (with
their properties), process what is sent to the template's own queue, stream and table, and come back after a
restart of the server with the same UUIDs. The local services start empty after a restart and make the stream
again under the same ARN, with sequence numbers starting over: a checkpoint of the earlier stream must not make
the poller skip the new stream's first records."""

from __future__ import annotations

import asyncio
import base64
import functools
import json
from pathlib import Path

from tests.event_sources.conftest import FAST, RECORDER
from tests.helpers import make_project, wait_until
from workbench.engine import Engine, EngineSettings

FUNCTION = {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11", "Timeout": 10, "Events": {
    "Work": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Queue", "Arn"]}, "BatchSize": 5}},
    "Clicks": {"Type": "Kinesis", "Properties": {"Stream": {"Fn::GetAtt": ["Clicks", "Arn"]},
                                                 "StartingPosition": "TRIM_HORIZON", "BatchSize": 50,
                                                 "MaximumRetryAttempts": 3}},
    "Changes": {"Type": "DynamoDB", "Properties": {"Stream": {"Fn::GetAtt": ["Orders", "StreamArn"]},
                                                   "StartingPosition": "TRIM_HORIZON", "BatchSize": 10}},
}}
RESOURCES = {
    "Queue": {"Type": "AWS::SQS::Queue"},
    "Clicks": {"Type": "AWS::Kinesis::Stream", "Properties": {"Name": "clicks", "ShardCount": 1}},
    "Orders": {"Type": "AWS::DynamoDB::Table", "Properties": {
        "TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"}}},
}


until = functools.partial(wait_until, timeout=45.0, interval=0.05)  # the condition asks the engine


async def _seen(engine: Engine) -> list[str]:
    """Every record the function was given, as text: SQS bodies, Kinesis data, DynamoDB keys."""
    lines = await engine.logs("Recorder", text="EVENT ", limit=10_000)
    found = []
    for line in lines:
        if "EVENT {" not in line.message:
            continue
        for record in json.loads(line.message.split("EVENT ", 1)[1])["Records"]:
            if "body" in record:
                found.append(record["body"])
            elif "kinesis" in record:
                found.append(base64.b64decode(record["kinesis"]["data"]).decode())
            else:
                found.append(record["dynamodb"]["Keys"]["pk"]["S"])
    return found


async def _send(engine: Engine, label: str) -> None:
    sqs = engine.services.client("sqs", "us-east-1")
    kinesis = engine.services.client("kinesis", "us-east-1")
    dynamodb = engine.services.client("dynamodb", "us-east-1")
    await asyncio.to_thread(sqs.send_message, QueueUrl=engine.resource_attributes["Queue"]["Ref"],
                            MessageBody=f"sqs-{label}")
    await asyncio.to_thread(kinesis.put_record, StreamName="clicks", Data=f"kinesis-{label}".encode(),
                            PartitionKey="k")
    await asyncio.to_thread(dynamodb.put_item, TableName="orders", Item={"pk": {"S": f"ddb-{label}"}})


async def test_template_events_become_mappings_and_come_back_after_a_restart(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"Recorder": FUNCTION}, {"src/app.py": RECORDER}, extra_resources=RESOURCES)
    settings = EngineSettings(event_sources=FAST)
    async with Engine(project, settings=settings) as engine:
        views = {view.config.logical_id: view for view in engine.list_event_source_mappings()}
        assert set(views) == {"RecorderWork", "RecorderClicks", "RecorderChanges"}
        assert {view.config.origin for view in views.values()} == {"template"}
        assert views["RecorderWork"].config.batch_size == 5
        assert views["RecorderClicks"].config.maximum_retry_attempts == 3
        assert views["RecorderChanges"].config.starting_position == "TRIM_HORIZON"
        assert all(view.state.value == "Enabled" for view in views.values())
        await _send(engine, "first")
        wanted = {"sqs-first", "kinesis-first", "ddb-first"}
        await until(lambda: _contains(engine, wanted))
        ids = {logical_id: view.config.uuid for logical_id, view in views.items()}
        counts = {m.uuid: m.records for m in engine.statistics().event_source_mappings}
        assert all(counts[ids[logical_id]] == 1 for logical_id in ids)

    async with Engine(project, settings=settings) as engine:  # the same server again: moto starts empty
        again = {view.config.logical_id: view.config.uuid for view in engine.list_event_source_mappings()}
        assert again == ids
        await _send(engine, "second")
        await until(lambda: _contains(engine, {"sqs-second", "kinesis-second", "ddb-second"}))
        seen = await _seen(engine)
        # every record of the new stream (its sequence numbers started over), and the first run's only once
        assert seen.count("kinesis-second") == 1 and seen.count("kinesis-first") == 1


async def _contains(engine: Engine, wanted: set[str]) -> bool:
    return wanted <= set(await _seen(engine))
