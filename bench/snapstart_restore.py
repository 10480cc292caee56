"""SnapStart restore against an on-demand cold start: a python3.12 function whose init imports a few modules,
published with SnapStart; every measured request lands on a new environment.

    python bench/snapstart_restore.py [--backend process|docker] [--pool 2] [--samples 30] [--quick]

Prints `snapstart_restore` (the environment's Restore Duration, as RESTORE_REPORT says it) and
`on_demand_init` ($LATEST's Init Duration on the same function), in ms; and, as the client sees them, the
whole first invocation of each (`snapstart_first_invoke`, `on_demand_first_invoke`: a Docker cold start's
container work is not in its Init Duration). On Docker, `--pool` sets the pre-created sandbox pool that on-demand
cold starts use (its steady state: each sample waits until it is full again); restores never need it.
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
from workbench.backends.base import Backend
from workbench.engine import Engine
from workbench.model.project import load_project

HANDLER = ("import json, decimal, email.utils, http.client\n"
           "def handler(event, context):\n    return None\n")


def write_project(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(HANDLER)
    (root / "template.yaml").write_text(
        "Resources:\n  Snap:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src\n"
        "      Handler: app.handler\n      Runtime: python3.12\n      SnapStart:\n        ApplyOn: PublishedVersions\n")
    return root / "template.yaml"


def make_backend(args: argparse.Namespace) -> Backend:
    if args.backend == "docker":
        from workbench.backends.docker import DockerBackend

        return DockerBackend(pool_size=args.pool)
    from workbench.backends.process import ProcessBackend

    return ProcessBackend()


async def _pool_full(backend: Backend, timeout_s: float = 30.0) -> None:
    """On Docker, until the sandbox pool is full again (the steady state on-demand cold starts meet)."""
    ready, size = getattr(backend, "pooled_ready", None), getattr(backend, "pool_size", 0)
    deadline = time.monotonic() + timeout_s
    while ready is not None and ready() < size:
        if time.monotonic() > deadline:
            raise SystemExit(f"the sandbox pool did not fill in {timeout_s} s")
        await asyncio.sleep(0.01)


async def _timed(engine: Engine, qualifier: str | None) -> float:
    started = time.perf_counter()
    result = await engine.invoke("Snap", qualifier=qualifier)
    assert result.cold_start and result.function_error is None, result.payload
    return (time.perf_counter() - started) * 1000


async def measure(args: argparse.Namespace) -> None:
    samples = 8 if args.quick else args.samples
    restores: list[float] = []
    inits: list[float] = []
    restored_invokes: list[float] = []
    cold_invokes: list[float] = []
    backend = make_backend(args)
    with tempfile.TemporaryDirectory(prefix="bench-snapstart-") as folder:
        async with Engine(load_project(write_project(Path(folder))), backend=backend) as engine:
            version = (await engine.publish_version("Snap")).version
            await engine.invoke("Snap")   # image and interpreter lookups are not what we measure
            await engine.stop_environments()
            for _ in range(samples):
                await _pool_full(backend)
                restored_invokes.append(await _timed(engine, version))
                cold_invokes.append(await _timed(engine, None))
                await engine.stop_environments()
            for line in await engine.logs("Snap", limit=100000):
                if line.message.startswith("RESTORE_REPORT Restore Duration: "):
                    restores.append(float(line.message.split()[3]))
                elif line.message.startswith("REPORT") and "Init Duration: " in line.message:
                    inits.append(float(line.message.split("Init Duration: ")[1].split()[0]))
    extra = {"backend": args.backend, "runtime": "python3.12"}
    if args.backend == "docker":
        extra["pool"] = args.pool
    emit("snapstart_restore", restores, **extra)
    emit("on_demand_init", inits[1:], **extra)   # the first is the warm-up's
    emit("snapstart_first_invoke", restored_invokes, **extra)
    emit("on_demand_first_invoke", cold_invokes, **extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("process", "docker"), default="process")
    parser.add_argument("--pool", type=int, default=2, help="Docker: pre-created sandboxes for on-demand starts")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--quick", action="store_true")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
