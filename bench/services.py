"""SQS round trips (send + receive + delete) through the workbench's one endpoint against talking to moto
directly: what the forwarding hop costs.

    python bench/services.py [--quick]

One moto server and one `workbench serve --aws-endpoint` pointing at it, both in their own processes, so both
clients reach the same moto. Prints one JSON object per client ({"name", "unit", "p50", "p99", "n",
"client"}) with the round trip's latency, then the round trips per second of each, and the hop's added p50.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import emit, emit_value, log
from bench.http_invoke import start_server
from workbench.services import LocalServices, client_for


def measure(url: str, warmup: int, count: int) -> list[float]:
    sqs = client_for("sqs", url, "us-east-1")
    queue = sqs.create_queue(QueueName=f"bench-{abs(hash(url)) % 10**8}")["QueueUrl"]
    samples: list[float] = []
    for index in range(warmup + count):
        started = time.perf_counter()
        sqs.send_message(QueueUrl=queue, MessageBody="x" * 100)
        message = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1)["Messages"][0]
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        elapsed = (time.perf_counter() - started) * 1000
        if index >= warmup:
            samples.append(elapsed)
    sqs.close()
    return samples


async def start_moto(state: Path) -> LocalServices:
    services = LocalServices(log_path=state / "moto.log")
    await services.ensure_started()
    return services


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer round trips (a smoke run)")
    args = parser.parse_args()
    warmup, count = (10, 50) if args.quick else (50, 500)
    with tempfile.TemporaryDirectory(prefix="workbench-bench-services-") as folder:
        loop = asyncio.new_event_loop()
        services = loop.run_until_complete(start_moto(Path(folder)))
        moto_url = services.endpoint_url
        (Path(folder) / "project").mkdir()
        process, url = start_server(Path(folder) / "project", ["--aws-endpoint", moto_url])
        try:
            log(f"moto at {moto_url}, workbench serve at {url}")
            results = {}
            for client, target in (("moto", moto_url), ("endpoint", url)):
                samples = measure(target, warmup, count)
                results[client] = samples
                emit("sqs_round_trip", samples, client=client)
            for client, samples in results.items():
                emit_value("sqs_round_trips_per_s", len(samples) / (sum(samples) / 1000), "1/s", client=client)
            emit_value("forwarding_hop_added_p50", statistics.median(results["endpoint"])
                       - statistics.median(results["moto"]), "ms")
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
            loop.run_until_complete(services.close())
            loop.close()


if __name__ == "__main__":
    main()
