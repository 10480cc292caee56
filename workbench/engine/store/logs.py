"""Log events and traces in the project's store.

Writes are buffered and flushed in batches on the store's thread, so the invoke path never waits for the
disk; readers in other processes (`workbench logs --follow`) see committed rows thanks to WAL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.engine.observation.events import Span, TraceRecord
from workbench.engine.store.database import Database, connect

log = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class StoredLog:
    id: int
    timestamp: float
    log_stream: str
    function: str
    request_id: str | None
    platform: bool
    message: str

    @property
    def log_group(self) -> str:
        """Every function logs to `/aws/lambda/<name>` (kept out of each row: it is the same for all)."""
        return f"/aws/lambda/{self.function}"


def query_logs(connection: sqlite3.Connection, *, function: str | None = None, request_id: str | None = None,
               text: str | None = None, after_id: int = 0, limit: int = 1000, newest: bool = False) -> list[StoredLog]:
    """Matching events in order; with ``newest``, the last ``limit`` of them (still in order)."""
    clauses: list[str] = ["id > ?"]
    params: list[object] = [after_id]
    for column, value in (("function", function), ("request_id", request_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if text:
        clauses.append("instr(message, ?) > 0")
        params.append(text)
    rows = connection.execute(
        f"SELECT id, ts, log_stream, function, request_id, platform, message FROM log_events "
        f"WHERE {' AND '.join(clauses)} ORDER BY id {'DESC' if newest else ''} LIMIT ?", (*params, limit)).fetchall()
    if newest:
        rows.reverse()
    return [StoredLog(r["id"], r["ts"], r["log_stream"], r["function"], r["request_id"], bool(r["platform"]),
                      r["message"]) for r in rows]


def _span(start: float | None, end: float | None) -> Span | None:
    return Span(start, end) if start is not None and end is not None else None


def query_traces(connection: sqlite3.Connection, *, function: str | None = None,
                 limit: int = 50) -> list[TraceRecord]:
    where, params = ("WHERE function = ?", [function]) if function else ("", [])
    rows = connection.execute(
        "SELECT request_id, trace_id, segment_id, function, version, env_id, cold_start, init_start, init_end, "
        "invoke_start, invoke_end, overhead_start, overhead_end, status, error_type, restore_start, restore_end "
        "FROM traces "
        f"{where} ORDER BY invoke_start DESC LIMIT ?", (*params, limit)).fetchall()
    return [
        TraceRecord(trace_id=r["trace_id"], segment_id=r["segment_id"], request_id=r["request_id"],
                    function=r["function"], version=r["version"], env_id=r["env_id"], cold_start=bool(r["cold_start"]),
                    initialization=_span(r["init_start"], r["init_end"]),
                    invocation=Span(r["invoke_start"], r["invoke_end"]),
                    overhead=_span(r["overhead_start"], r["overhead_end"]), status=r["status"],
                    error_type=r["error_type"], restore=_span(r["restore_start"], r["restore_end"]))
        for r in reversed(rows)
    ]


def _trace_row(trace: TraceRecord) -> tuple[Any, ...]:
    init, overhead, restore = trace.initialization, trace.overhead, trace.restore
    return (trace.request_id, trace.trace_id, trace.segment_id, trace.function, trace.version, trace.env_id,
            int(trace.cold_start), init.start if init else None, init.end if init else None,
            trace.invocation.start, trace.invocation.end, overhead.start if overhead else None,
            overhead.end if overhead else None, trace.status, trace.error_type,
            restore.start if restore else None, restore.end if restore else None)


#: Platform lines that close an invocation or an init: the store writes at once (coalesced with whatever else
#: is buffered) so a workbench that crashes right after keeps the function's last lines (issue 19, item 11).
_FLUSH_NOW = ("END ", "REPORT ", "INIT_REPORT ", "RESTORE_REPORT ")


class LogStore:
    """Buffered writes and async reads of log events and traces, on the project's `Database`.

    Rows are written every ``flush_interval_s`` and, sooner, as soon as an invocation's END or REPORT line (or
    an init's INIT_REPORT) arrives: one transaction carries everything buffered then, and flushes are at least
    ``min_gap_s`` apart, so a burst of invocations costs at most 1/min_gap_s writes a second, never one per line.
    """

    def __init__(self, database: Database, flush_interval_s: float = 0.1, min_gap_s: float = 0.02) -> None:
        self.database = database
        self._interval = flush_interval_s
        self._min_gap = min_gap_s
        self._logs: list[tuple[Any, ...]] = []
        self._traces: list[tuple[Any, ...]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._soon = asyncio.Event()

    def start(self) -> None:
        self._flusher = asyncio.create_task(self._flush_periodically(), name="store-flush")

    async def stop(self) -> None:
        """Stop the periodic flush and write what is buffered (the database stays open)."""
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        await self.flush()

    def add_log(self, ts: float, log_stream: str, function: str, request_id: str | None,
                platform: bool, message: str) -> None:
        self._logs.append((ts, log_stream, function, request_id, int(platform), message))
        if platform and message.startswith(_FLUSH_NOW):
            self._soon.set()

    def add_trace(self, trace: TraceRecord) -> None:
        self._traces.append(_trace_row(trace))

    async def _flush_periodically(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._soon.wait(), self._interval)
            self._soon.clear()
            try:
                await self.flush()
            except sqlite3.Error:
                log.exception("could not write logs and traces to %s", self.database.path)
            await asyncio.sleep(self._min_gap)

    async def flush(self) -> None:
        logs, self._logs = self._logs, []
        traces, self._traces = self._traces, []
        if logs or traces:
            await self.database.run(lambda connection: _write(connection, logs, traces))

    async def logs(self, **filters: Any) -> list[StoredLog]:
        await self.flush()
        return await self.database.run(lambda connection: query_logs(connection, **filters)) or []

    async def traces(self, function: str | None = None, limit: int = 50) -> list[TraceRecord]:
        await self.flush()
        return await self.database.run(
            lambda connection: query_traces(connection, function=function, limit=limit)) or []


def _write(connection: sqlite3.Connection, logs: Sequence[tuple[Any, ...]], traces: Sequence[tuple[Any, ...]]) -> None:
    with connection:
        connection.executemany(
            "INSERT INTO log_events (ts, log_stream, function, request_id, platform, message) "
            "VALUES (?, ?, ?, ?, ?, ?)", logs)
        connection.executemany(
            "INSERT OR REPLACE INTO traces (request_id, trace_id, segment_id, function, version, env_id, cold_start, "
            "init_start, init_end, invoke_start, invoke_end, overhead_start, overhead_end, status, error_type, "
            "restore_start, restore_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", traces)


@contextlib.contextmanager
def open_readonly(path: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(path, readonly=True)
    try:
        yield connection
    finally:
        connection.close()
