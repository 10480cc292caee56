"""Throughput of a no-op function through the engine with concurrent clients (closed loop).

    python bench/throughput.py [--clients 8] [--requests 20000] [--runtime python3.11] [--quick]

Prints {"name": "throughput", "unit": "inv/s", "value", "clients", ...}, the latency percentiles, and the CPU
each invocation cost: the engine's process (all threads), its event loop's thread alone, and the runtime
processes (read from /proc, so the figures hold on a machine shared with other work, where the wall-clock
throughput does not).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import cpu_seconds, descendants_cpu_seconds, emit_value, log
from bench.invoke import write_project
from workbench.engine import Engine, run_load
from workbench.model.project import load_project


async def measure(args: argparse.Namespace) -> None:
    requests = 4000 if args.quick else args.requests
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as folder:
        project = load_project(write_project(Path(folder), args.runtime))
        async with Engine(project, backend=args.backend) as engine:
            await run_load(engine, "Noop", requests=args.clients * 50, concurrency=args.clients)  # warm up
            loop_thread = f"/proc/self/task/{threading.get_native_id()}/stat"
            cpu, loop_cpu, runtimes_cpu = time.process_time(), cpu_seconds(loop_thread), descendants_cpu_seconds()
            report = await run_load(engine, "Noop", requests=requests, concurrency=args.clients)
            engine_cpu_us = (time.process_time() - cpu) / requests * 1e6
            loop_cpu_us = (cpu_seconds(loop_thread) - loop_cpu) / requests * 1e6
            runtimes_cpu_us = (descendants_cpu_seconds() - runtimes_cpu) / requests * 1e6
    if report.failed or report.throttled:
        log(f"warning: {report.failed} failed, {report.throttled} throttled")
    emit_value("throughput", report.throughput_per_s, "inv/s", backend=args.backend, runtime=args.runtime,
               clients=args.clients, requests=requests, p50_ms=report.p50_ms, p99_ms=report.p99_ms,
               engine_cpu_us_per_invocation=round(engine_cpu_us, 1), loop_cpu_us_per_invocation=round(loop_cpu_us, 1),
               runtimes_cpu_us_per_invocation=round(runtimes_cpu_us, 1),
               # What two idle cores could do with these costs: the loop is one thread, and the loop and the
               # runtimes share the two cores.
               idle_two_core_capacity=round(min(1e6 / max(loop_cpu_us, 1e-9),
                                                2e6 / max(engine_cpu_us + runtimes_cpu_us, 1e-9))),
               load_average=round(os.getloadavg()[0], 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--runtime", default="python3.11")
    parser.add_argument("--backend", default="process")
    parser.add_argument("--quick", action="store_true")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
