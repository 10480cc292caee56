"""Event source mapping throughput: SQS messages per second into a no-op function at BatchSize 10 and 100, and
Kinesis records per second (one shard, BatchSize 100), through the engine's local services (moto).

    python bench/event_sources.py [--quick] [--count N]

The mappings are the template's (`Events:` of type SQS and Kinesis), so this also runs them as `workbench serve`
would. Messages are sent first (with the mapping disabled), then the mapping is enabled and the clock runs until
the function has seen them all. Prints one JSON object per source ({"name", "unit", "value", "n"}).

`esm.sqs.sdk_floor` is the same number of messages drained from the same moto by a bare loop of ReceiveMessage (10)
and DeleteMessageBatch, with no function: the most any poller can get from moto at that queue depth. moto checks
every message of a queue on every call (visibility, delay), so its cost per call grows with the depth and a
pre-filled queue drains in time quadratic in its length; compare the mapping's figures with this floor, not with
AWS's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import emit_value, log
from workbench.engine import Engine, EngineEvent, MappingBatchProcessed, MappingOptions
from workbench.model.project import load_project

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Small:
    Type: AWS::SQS::Queue
  Large:
    Type: AWS::SQS::Queue
  Floor:
    Type: AWS::SQS::Queue
  Clicks:
    Type: AWS::Kinesis::Stream
    Properties:
      Name: clicks
      ShardCount: 1
  Noop:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.11
      Events:
        Batch10:
          Type: SQS
          Properties: {Queue: !GetAtt Small.Arn, BatchSize: 10, Enabled: false}
        Batch100:
          Type: SQS
          Properties: {Queue: !GetAtt Large.Arn, BatchSize: 100, MaximumBatchingWindowInSeconds: 1, Enabled: false}
        Stream:
          Type: Kinesis
          Properties: {Stream: !GetAtt Clicks.Arn, BatchSize: 100, StartingPosition: TRIM_HORIZON, Enabled: false}
"""


async def drain(engine: Engine, source_arn: str, count: int) -> float:
    view = engine.list_event_source_mappings(source_arn=source_arn)[0]
    done = asyncio.Event()

    def watch(event: EngineEvent) -> None:
        if isinstance(event, MappingBatchProcessed) and engine.statistics().mapping(view.config.uuid).records >= count:
            done.set()

    unsubscribe = engine.subscribe(watch)
    started = time.perf_counter()
    await engine.update_event_source_mapping(view.config.uuid, None, MappingOptions(enabled=True))
    await done.wait()
    unsubscribe()
    elapsed = time.perf_counter() - started
    await engine.update_event_source_mapping(view.config.uuid, None, MappingOptions(enabled=False))
    return count / elapsed


def sdk_floor(sqs: Any, url: str, count: int) -> float:
    """Messages per second a bare receive-and-delete loop drains from ``url`` (already holding ``count``)."""
    started, done = time.perf_counter(), 0
    while done < count:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                       MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"])
        batch = messages.get("Messages") or []
        if batch:
            sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                            for i, m in enumerate(batch)])
        done += len(batch)
    return count / (time.perf_counter() - started)


async def fill(sqs: Any, url: str, count: int) -> None:
    for start in range(0, count, 10):
        entries = [{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)]
        await asyncio.to_thread(sqs.send_message_batch, QueueUrl=url, Entries=entries)


async def measure(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-esm-") as folder:
        root = Path(folder)
        (root / "src").mkdir()
        (root / "src" / "app.py").write_text("def handler(event, context):\n    return None\n")
        (root / "template.yaml").write_text(TEMPLATE)
        async with Engine(load_project(root)) as engine:
            sqs = engine.services.client("sqs", "us-east-1")
            kinesis = engine.services.client("kinesis", "us-east-1")
            floor_url = engine.resource_attributes["Floor"]["Ref"]
            await fill(sqs, floor_url, count)
            emit_value("esm.sqs.sdk_floor", await asyncio.to_thread(sdk_floor, sqs, floor_url, count), "msgs/s",
                       n=count)
            for logical_id, batch in (("Small", 10), ("Large", 100)):
                arn = engine.resource_attributes[logical_id]["Arn"]
                await fill(sqs, engine.resource_attributes[logical_id]["Ref"], count)
                rate = await drain(engine, arn, count)
                emit_value(f"esm.sqs.batch{batch}", rate, "msgs/s", n=count)
            stream_arn = engine.resource_attributes["Clicks"]["Arn"]
            for start in range(0, count, 100):
                records = [{"Data": f"r{start + i}".encode(), "PartitionKey": str(i)} for i in range(100)]
                await asyncio.to_thread(kinesis.put_records, StreamName="clicks", Records=records)
            emit_value("esm.kinesis.batch100", await drain(engine, stream_arn, count), "records/s", n=count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer messages (a smoke run)")
    parser.add_argument("--count", type=int, help="messages per source (default 1000, 300 with --quick)")
    args = parser.parse_args()
    count = args.count or (300 if args.quick else 1000)
    log(f"event source mappings: {count} messages per source")
    asyncio.run(measure(count))


if __name__ == "__main__":
    main()
