"""Warm invoke latency through the Lambda HTTP API: `workbench serve` in its own process, a no-op Python function,
and two clients on this machine — boto3 (as SAM and SDK users call it) and a plain HTTP/1.1 keep-alive
connection (what the server and engine cost without the SDK).

    python bench/http_invoke.py [--quick] [--runtime python3.11|nodejs20.x]

Prints one JSON object per client: {"name", "unit", "p50", "p99", "n", "client"}, then the same boto3 call against
a server that answers at once without doing anything (`--floor-server`, in its own process): what the SDK and
one HTTP round trip cost on this machine, the floor below which no server can bring boto3's figure.
For comparison, `sam local start-lambda` with warm containers: 26 ms p50 with boto3 on the same machine.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3
from botocore.config import Config

from bench._common import cpu_seconds, descendants_cpu_seconds, emit, log
from bench.invoke import write_project
from workbench.api import sigv4

PATH = "/2015-03-31/functions/Noop/invocations"


def start_server(project: Path, extra: list[str] | None = None) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([sys.executable, "-m", "workbench", "serve", "--project", str(project),
                                *(extra or [])], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
    if match is None:
        process.kill()
        raise SystemExit(f"workbench serve did not start: {line!r}")
    return process, match[1]


class ServerCpu:
    """CPU per measured request: `workbench serve`'s own process, the runtimes below it, and this client."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._start = (0.0, 0.0)
        self._client = 0.0

    def _now(self) -> tuple[float, float]:
        return cpu_seconds(f"/proc/{self._pid}/stat"), descendants_cpu_seconds(self._pid)

    def start(self) -> None:
        self._start = self._now()
        self._client = time.process_time()

    def per_request_us(self, count: int) -> dict[str, float]:
        client = time.process_time() - self._client
        server, runtimes = self._now()
        return {"server_cpu_us_per_request": round((server - self._start[0]) / count * 1e6, 1),
                "runtimes_cpu_us_per_request": round((runtimes - self._start[1]) / count * 1e6, 1),
                "client_cpu_us_per_request": round(client / count * 1e6, 1)}


def measure_boto3(url: str, warmup: int, count: int, server: ServerCpu | None = None) -> list[float]:
    client = boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x", config=Config(retries={"total_max_attempts": 1}))
    samples: list[float] = []
    for index in range(warmup + count):
        if index == warmup and server is not None:
            server.start()
        started = time.perf_counter()
        response = client.invoke(FunctionName="Noop", Payload=b"{}")
        response["Payload"].read()
        elapsed = (time.perf_counter() - started) * 1000
        assert response["StatusCode"] == 200 and "FunctionError" not in response
        if index >= warmup:
            samples.append(elapsed)
    client.close()
    return samples


def measure_plain(url: str, warmup: int, count: int, server: ServerCpu | None = None) -> list[float]:
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port)
    samples: list[float] = []
    for index in range(warmup + count):
        if index == warmup and server is not None:
            server.start()
        started = time.perf_counter()
        # the API requires a SigV4 signature; signing is part of what a client pays per request
        headers = {"Content-Type": "application/json", **sigv4.sign(
            access_key="bench", secret="bench", method="POST", host=address.netloc, raw_path=PATH, query=(),
            body=b"{}")}
        connection.request("POST", PATH, body=b"{}", headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status == 200 and response.getheader("X-Amz-Function-Error") is None
        if index >= warmup:
            samples.append(elapsed)
    connection.close()
    return samples


def serve_floor() -> None:
    """A server with nothing behind it: every POST to Invoke's path answers at once with Lambda's headers."""
    import asyncio

    from aiohttp import web

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=b"{}", content_type="application/json",
                            headers={"X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": str(uuid.uuid4())})

    async def run() -> None:
        app = web.Application()
        app.router.add_post("/2015-03-31/functions/{function}/invocations", answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        print(f"floor server at http://127.0.0.1:{port}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())


def start_floor_server() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([sys.executable, __file__, "--floor-server"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    match = re.search(r"(http://127\.0\.0\.1:\d+)", process.stdout.readline())
    if match is None:
        process.kill()
        raise SystemExit("the floor server did not start")
    return process, match[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer samples; finishes in a few seconds")
    parser.add_argument("--runtime", default="python3.11")
    parser.add_argument("--floor-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_server:
        serve_floor()
        return
    warmup, count = (50, 500) if args.quick else (200, 3000)
    with tempfile.TemporaryDirectory(prefix="bench-http-") as folder:
        write_project(Path(folder), args.runtime)
        process, url = start_server(Path(folder))
        try:
            log(f"workbench serve at {url}; {warmup} warm-up and {count} measured invocations per client")
            server = ServerCpu(process.pid)
            samples = measure_boto3(url, warmup, count, server)
            emit("http_warm_invoke", samples, client="boto3", runtime=args.runtime, **server.per_request_us(count),
                 load_average=round(os.getloadavg()[0], 2))
            samples = measure_plain(url, warmup, count, server)
            emit("http_warm_invoke", samples, client="http.client keep-alive", runtime=args.runtime,
                 **server.per_request_us(count), load_average=round(os.getloadavg()[0], 2))
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(30)
    floor, url = start_floor_server()
    try:
        samples = measure_boto3(url, warmup, count)
        emit("http_warm_invoke", samples, client="boto3 against a server that does nothing (the floor)",
             load_average=round(os.getloadavg()[0], 2))
    finally:
        floor.kill()
        floor.wait(30)


if __name__ == "__main__":
    main()
