"""Event source mapping throughput: SQS messages per second into a no-op function at BatchSize 10 and 100, and
Kinesis records per second (one shard, BatchSize 100), through the engine's local services (moto).

    python bench/event_sources.py [--quick]

The mappings are the template's (`Events:` of type SQS and Kinesis), so this also runs them as `workbench serve`
would. Messages are sent first (with the mapping disabled), then the mapping is enabled and the clock runs until
the function has seen them all. Prints one JSON object per source ({"name", "unit", "value", "n"}).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

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


async def measure(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-esm-") as folder:
        root = Path(folder)
        (root / "src").mkdir()
        (root / "src" / "app.py").write_text("def handler(event, context):\n    return None\n")
        (root / "template.yaml").write_text(TEMPLATE)
        async with Engine(load_project(root)) as engine:
            sqs = engine.services.client("sqs", "us-east-1")
            kinesis = engine.services.client("kinesis", "us-east-1")
            for logical_id, batch in (("Small", 10), ("Large", 100)):
                arn = engine.resource_attributes[logical_id]["Arn"]
                url = engine.resource_attributes[logical_id]["Ref"]
                for start in range(0, count, 10):
                    entries = [{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)]
                    await asyncio.to_thread(sqs.send_message_batch, QueueUrl=url, Entries=entries)
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
    args = parser.parse_args()
    count = 500 if args.quick else 3000
    log(f"event source mappings: {count} messages per source")
    asyncio.run(measure(count))


if __name__ == "__main__":
    main()
