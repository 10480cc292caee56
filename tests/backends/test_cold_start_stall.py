"""A cold start of a package of 20,000 files does not stall the event loop (issue 19, item 10): the working
copy (without a sandbox) is made off the loop, and a sandbox binds the snapshot without copying it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.helpers import make_project
from tests.sandbox_support import require_sandbox
from workbench.backends.process import ProcessBackend
from workbench.engine import Engine


@pytest.mark.parametrize("mode", ["required", "off"])
async def test_a_cold_start_of_20000_files_keeps_the_loop_responsive(tmp_path: Path, mode: str) -> None:
    if mode == "required":
        require_sandbox()
    files = {f"src/pkg/d{n // 500}/f{n}.txt": "x" for n in range(20_000)}
    files["src/app.py"] = "def handler(event, context):\n    return 'ok'\n"
    project = make_project(tmp_path, {"Big": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"}},
                           files)
    async with Engine(project, backend=ProcessBackend(sandbox=mode)) as engine:
        worst = 0.0
        running = True

        async def ticker() -> None:
            nonlocal worst
            last = time.perf_counter()
            while running:
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                worst, last = max(worst, now - last), now

        ticking = asyncio.create_task(ticker())
        result = await engine.invoke("Big", b"{}")
        running = False
        await ticking
    assert result.json() == "ok"
    assert worst < 0.25, f"the event loop stalled {worst:.3f} s"
