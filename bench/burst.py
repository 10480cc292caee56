"""Scale-out from zero: a burst of N concurrent requests on a function with no environments.

    python bench/burst.py [--concurrency 100] [--hold 3] [--quick]

Each request holds its environment for --hold seconds, so all N must run at once. Prints the time from the
burst until N environments were serving (`burst_all_serving`), and the memory of one idle environment
(`idle_environment_memory`: resident and proportional set size of its process tree, in MB).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import emit_value, log
from workbench.backends import procfs
from workbench.engine.facade import Engine
from workbench.engine.observation.events import EngineEvent, InvocationStarted
from workbench.model.project import load_project

HANDLER = "import time\ndef handler(event, context):\n    time.sleep(event.get('hold', 0))\n    return None\n"


def write_project(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(HANDLER)
    (root / "template.yaml").write_text(
        "Resources:\n  Burst:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src\n      Handler: app.handler\n      Runtime: python3.11\n      Timeout: 60\n")
    return root / "template.yaml"


def pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


async def measure(args: argparse.Namespace) -> None:
    concurrency = 20 if args.quick else args.concurrency
    with tempfile.TemporaryDirectory(prefix="bench-burst-") as folder:
        async with Engine(load_project(write_project(Path(folder)))) as engine:
            await engine.invoke("Burst")          # interpreter lookup and code snapshot are not the burst
            await engine.stop_environments()
            loop = asyncio.get_running_loop()
            serving: list[float] = []

            def on_event(event: EngineEvent) -> None:
                if isinstance(event, InvocationStarted):
                    serving.append(loop.time())

            engine.subscribe(on_event)
            started = loop.time()
            results = await asyncio.gather(*(engine.invoke("Burst", b'{"hold": %f}' % args.hold)
                                             for _ in range(concurrency)), return_exceptions=True)
            failures = [r for r in results if isinstance(r, BaseException) or r.function_error]
            stats = engine.statistics().function("Burst")
            await asyncio.sleep(0.5)  # let every environment go idle and freeze
            handles = list(getattr(engine.backend, "_handles", ()))
            rss = [procfs.tree_rss_bytes(h.pid) / 2**20 for h in handles]
            pss = [sum(pss_bytes(p) for p in procfs.descendants(h.pid)) / 2**20 for h in handles]
    if failures:
        log(f"warning: {len(failures)} of {concurrency} requests failed: {failures[:3]}")
    emit_value("burst_all_serving", (serving[-1] - started) * 1000 if len(serving) == concurrency else float("nan"),
               "ms", concurrency=concurrency, environments=len(stats.environments), cold_starts=stats.cold_starts,
               failed=len(failures), backend="process")
    if rss:
        emit_value("idle_environment_memory", statistics.median(pss), "MB", rss_mb=round(statistics.median(rss), 1),
                   environments=len(rss), backend="process", runtime="python3.11")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--hold", type=float, default=3.0, help="seconds each request keeps its environment")
    parser.add_argument("--quick", action="store_true")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
