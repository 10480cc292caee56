"""Docker cold starts with and without the pre-created sandbox pool, back to back in one run.

    python bench/docker_cold_start.py [--runtime python3.11] [--pool 2] [--quick]

Each sample stops the function's environments and invokes it again (a cold start). With the pool on, the sample
waits until the pool is full again first: that is the steady state the pool is for (Lambda keeps sandboxes
ready before requests need them). Prints `docker_cold_start` (ms) once per pool setting, with `pool` = its size.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import emit
from bench.invoke import write_project
from workbench.backends.docker import DockerBackend
from workbench.engine import Engine
from workbench.model.project import load_project


async def _pool_full(backend: DockerBackend, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while backend.pooled_ready() < backend.pool_size:
        if time.monotonic() > deadline:
            raise SystemExit(f"the sandbox pool did not fill in {timeout_s} s")
        await asyncio.sleep(0.01)


async def measure(runtime: str, pool: int, samples: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="bench-docker-cold-") as folder:
        project = load_project(write_project(Path(folder), runtime))
        backend = DockerBackend(pool_size=pool)
        async with Engine(project, backend=backend) as engine:
            await engine.invoke("Noop", b"{}")   # image and interpreter lookups are not what we measure
            await engine.stop_environments()
            cold: list[float] = []
            for _ in range(samples):
                await _pool_full(backend)
                started = time.perf_counter()
                result = await engine.invoke("Noop", b"{}")
                cold.append((time.perf_counter() - started) * 1000)
                assert result.cold_start and result.function_error is None, result.payload
                await engine.stop_environments()
    return cold


async def run(args: argparse.Namespace) -> None:
    samples = 10 if args.quick else 40
    for pool in (0, args.pool):
        emit("docker_cold_start", await measure(args.runtime, pool, samples), backend="docker",
             runtime=args.runtime, pool=pool)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runtime", default="python3.11")
    parser.add_argument("--pool", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
