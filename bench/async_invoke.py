"""Asynchronous invocation throughput through the engine API, to a no-op Python function:

- accepted events/s: `invoke_async` from 64 concurrent callers; each call returns once its event is committed
  to the store (the durable 202 path);
- end-to-end events/s: from the first accept until every event has run and succeeded.

    python bench/async_invoke.py [--quick] [--concurrency N]

Prints one JSON object per line: {"name", "backend", "unit", "p50", "p99", "n"} over the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import emit, log
from workbench.engine import Engine
from workbench.model.project import load_project

CALLERS = 64


def write_project(root: Path, concurrency: int) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("def handler(event, context):\n    return None\n")
    (root / "template.yaml").write_text(
        "Resources:\n  Noop:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src\n      Handler: app.handler\n      Runtime: python3.11\n"
        f"      ReservedConcurrentExecutions: {concurrency}\n")
    return root / "template.yaml"


async def one_round(engine: Engine, events: int) -> tuple[float, float]:
    started = time.perf_counter()
    queue = iter(range(events))

    async def caller() -> None:
        for n in queue:
            await engine.invoke_async("Noop", f'{{"n": {n}}}')

    await asyncio.gather(*(caller() for _ in range(CALLERS)))
    accepted = time.perf_counter()
    await engine.wait_async_settled("Noop")
    finished = time.perf_counter()
    return events / (accepted - started), events / (finished - started)


async def measure(args: argparse.Namespace) -> None:
    rounds, events = (3, 1000) if args.quick else (5, 5000)
    with tempfile.TemporaryDirectory() as folder:
        project = load_project(write_project(Path(folder), args.concurrency))
        async with Engine(project) as engine:
            await engine.invoke("Noop", b"{}")
            accept_rates, end_to_end = [], []
            for number in range(rounds):
                accepted, finished = await one_round(engine, events)
                log(f"round {number + 1}: accepted {accepted:.0f}/s, end to end {finished:.0f}/s")
                accept_rates.append(accepted)
                end_to_end.append(finished)
            succeeded = engine.statistics().function("Noop").asynchronous.succeeded
            assert succeeded == rounds * events, succeeded
    emit("async_accepted_events_per_s", accept_rates, unit="events/s", backend="process", events=events,
         callers=CALLERS)
    emit("async_end_to_end_events_per_s", end_to_end, unit="events/s", backend="process", events=events,
         concurrency=args.concurrency)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--concurrency", type=int, default=4, help="the function's reserved concurrency")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
