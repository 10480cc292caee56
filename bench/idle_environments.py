"""Hold many idle warm environments at once, then use every one of them again.

    python bench/idle_environments.py [--environments 200] [--quick]

Scales a function out to N environments (N concurrent requests), lets them all go idle (frozen), checks that
N are held, then sends N concurrent no-op requests again (thawing them all) and checks every one ran warm. Prints
`idle_environments_held` (count, errors, warm reuses, total memory) and the time to re-serve them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import emit_value, log
from bench.burst import pss_bytes, write_project
from workbench.backends import procfs
from workbench.engine import Engine, EngineSettings, EnvState
from workbench.model.project import load_project


async def measure(args: argparse.Namespace) -> None:
    count = 40 if args.quick else args.environments
    with tempfile.TemporaryDirectory(prefix="bench-idle-") as folder:
        engine = Engine(load_project(write_project(Path(folder))), settings=EngineSettings(idle_timeout_s=3600))
        async with engine:
            payload = b'{"hold": %f}' % args.hold
            first = await asyncio.gather(*(engine.invoke("Burst", payload) for _ in range(count)),
                                         return_exceptions=True)
            await asyncio.sleep(1.0)
            environments = engine.statistics().function("Burst").environments
            frozen = sum(1 for env in environments if env.state == EnvState.FROZEN)
            handles = list(getattr(engine.backend, "_handles", ()))
            memory_mb = sum(procfs.tree_rss_bytes(h.pid) for h in handles) / 2**20
            # PSS shares each page among the processes that map it: what one more environment really costs.
            pss_mb = sum(pss_bytes(pid) for h in handles for pid in procfs.descendants(h.pid)) / 2**20
            loop = asyncio.get_running_loop()
            started = loop.time()
            second = await asyncio.gather(*(engine.invoke("Burst", b"{}") for _ in range(count)),
                                          return_exceptions=True)
            elapsed = loop.time() - started
    failed = [r for r in (*first, *second) if isinstance(r, BaseException) or r.function_error]
    errors = len(failed)
    kinds = Counter(type(r).__name__ if isinstance(r, BaseException) else r.payload[:120].decode(errors="replace")
                    for r in failed)
    for kind, number in kinds.most_common(5):
        log(f"{number} failed: {kind}")
    warm = sum(1 for r in second if not isinstance(r, BaseException) and not r.cold_start)
    emit_value("idle_environments_held", len(environments), "environments", frozen=frozen, errors=errors,
               warm_reuses=warm, requested=count, total_rss_mb=round(memory_mb, 1), total_pss_mb=round(pss_mb, 1),
               pss_mb_per_environment=round(pss_mb / max(1, len(handles)), 2), backend="process")
    emit_value("reserve_all_idle", elapsed * 1000, "ms", environments=count, backend="process")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--environments", type=int, default=200)
    parser.add_argument("--hold", type=float, default=8.0, help="long enough for every environment to start")
    parser.add_argument("--quick", action="store_true")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
