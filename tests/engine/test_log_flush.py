"""Logs of the last moments before a crash reach the store sooner (issue 19, item 11): an invocation's END and
REPORT lines are written at once, together with the function's lines buffered before them, instead of waiting
for the next periodic flush. Another reader (`workbench logs --follow`, or the next start after a crash) sees
them committed."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

from workbench.engine import open_readonly, query_logs
from workbench.engine.store.database import Database
from workbench.engine.store.logs import LogStore


def _committed(path: Path) -> list[str]:
    with open_readonly(path) as connection:
        return [row.message for row in query_logs(connection)]


async def _wait_committed(path: Path, count: int, timeout_s: float) -> list[str]:
    deadline = asyncio.get_running_loop().time() + timeout_s
    messages: list[str] = []
    while True:
        with contextlib.suppress(sqlite3.Error):
            messages = _committed(path)
            if len(messages) >= count:
                return messages
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"only {messages} committed after {timeout_s} s")
        await asyncio.sleep(0.01)


async def test_report_lines_are_written_at_once(tmp_path: Path) -> None:
    database = Database(tmp_path / "state.db")
    await database.open()
    # A periodic flush far away: only the REPORT rule can write these rows within the wait.
    store = LogStore(database, flush_interval_s=3600)
    store.start()
    try:
        store.add_log(1.0, "stream", "fn", "req-1", False, "last words before the crash")
        await asyncio.sleep(0.05)
        assert _committed(tmp_path / "state.db") == [], "a function's line alone waits for the periodic flush"
        store.add_log(1.1, "stream", "fn", "req-1", True, "END RequestId: req-1")
        store.add_log(1.1, "stream", "fn", "req-1", True, "REPORT RequestId: req-1\tDuration: 1.00 ms")
        messages = await _wait_committed(tmp_path / "state.db", 3, timeout_s=5)
        assert messages[0] == "last words before the crash" and messages[-1].startswith("REPORT")
    finally:
        await store.stop()
        await database.close()
