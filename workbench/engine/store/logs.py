"""Persistent state in SQLite (WAL) under the project's `.workbench/`: log events and traces.

Writes are buffered and flushed in batches on one writer thread, so the invoke path never waits for the
disk; readers in other processes (`workbench logs --follow`) see committed rows thanks to WAL.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.engine.observation.events import Span, TraceRecord

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS log_events (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    log_stream TEXT NOT NULL,
    function TEXT NOT NULL,
    request_id TEXT,
    platform INTEGER NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_events_function ON log_events (function, id);
CREATE INDEX IF NOT EXISTS log_events_request ON log_events (request_id);
CREATE TABLE IF NOT EXISTS traces (
    request_id TEXT PRIMARY KEY,
    trace_id TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    function TEXT NOT NULL,
    version TEXT NOT NULL,
    env_id TEXT NOT NULL,
    cold_start INTEGER NOT NULL,
    init_start REAL, init_end REAL,
    invoke_start REAL NOT NULL, invoke_end REAL NOT NULL,
    overhead_start REAL, overhead_end REAL,
    status TEXT NOT NULL,
    error_type TEXT
);
CREATE INDEX IF NOT EXISTS traces_function ON traces (function, invoke_start);
"""


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


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.executescript(SCHEMA)
    connection.execute("PRAGMA busy_timeout=5000")
    return connection


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
    return [StoredLog(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6]) for r in rows]


def _span(start: float | None, end: float | None) -> Span | None:
    return Span(start, end) if start is not None and end is not None else None


def query_traces(connection: sqlite3.Connection, *, function: str | None = None,
                 limit: int = 50) -> list[TraceRecord]:
    where, params = ("WHERE function = ?", [function]) if function else ("", [])
    rows = connection.execute(
        "SELECT request_id, trace_id, segment_id, function, version, env_id, cold_start, init_start, init_end, "
        "invoke_start, invoke_end, overhead_start, overhead_end, status, error_type FROM traces "
        f"{where} ORDER BY invoke_start DESC LIMIT ?", (*params, limit)).fetchall()
    return [
        TraceRecord(trace_id=r[1], segment_id=r[2], request_id=r[0], function=r[3], version=r[4], env_id=r[5],
                    cold_start=bool(r[6]), initialization=_span(r[7], r[8]), invocation=Span(r[9], r[10]),
                    overhead=_span(r[11], r[12]), status=r[13], error_type=r[14])
        for r in reversed(rows)
    ]


def _trace_row(trace: TraceRecord) -> tuple[Any, ...]:
    init, overhead = trace.initialization, trace.overhead
    return (trace.request_id, trace.trace_id, trace.segment_id, trace.function, trace.version, trace.env_id,
            int(trace.cold_start), init.start if init else None, init.end if init else None,
            trace.invocation.start, trace.invocation.end, overhead.start if overhead else None,
            overhead.end if overhead else None, trace.status, trace.error_type)


class Store:
    """Buffered writer plus async readers over one SQLite database."""

    def __init__(self, path: Path, flush_interval_s: float = 0.25) -> None:
        self.path = path
        self._interval = flush_interval_s
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="workbench-store")
        self._connection: sqlite3.Connection | None = None
        self._logs: list[tuple[Any, ...]] = []
        self._traces: list[tuple[Any, ...]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def _run(self, function: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    async def open(self) -> None:
        self._connection = await self._run(connect, self.path)
        self._flusher = asyncio.create_task(self._flush_periodically(), name="store-flush")

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self.flush()
        if self._connection is not None:
            await self._run(self._connection.close)
            self._connection = None
        self._executor.shutdown(wait=True)

    def add_log(self, ts: float, log_stream: str, function: str, request_id: str | None,
                platform: bool, message: str) -> None:
        self._logs.append((ts, log_stream, function, request_id, int(platform), message))

    def add_trace(self, trace: TraceRecord) -> None:
        self._traces.append(_trace_row(trace))

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except sqlite3.Error:
                log.exception("could not write logs and traces to %s", self.path)

    async def flush(self) -> None:
        logs, self._logs = self._logs, []
        traces, self._traces = self._traces, []
        if (logs or traces) and self._connection is not None:
            await self._run(self._write, logs, traces)

    def _write(self, logs: Sequence[tuple[Any, ...]], traces: Sequence[tuple[Any, ...]]) -> None:
        assert self._connection is not None
        with self._connection:
            self._connection.executemany(
                "INSERT INTO log_events (ts, log_stream, function, request_id, platform, message) "
                "VALUES (?, ?, ?, ?, ?, ?)", logs)
            self._connection.executemany(
                "INSERT OR REPLACE INTO traces VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", traces)

    async def logs(self, **filters: Any) -> list[StoredLog]:
        await self.flush()
        assert self._connection is not None
        connection = self._connection
        result: list[StoredLog] = await self._run(lambda: query_logs(connection, **filters))
        return result

    async def traces(self, function: str | None = None, limit: int = 50) -> list[TraceRecord]:
        await self.flush()
        assert self._connection is not None
        connection = self._connection
        result: list[TraceRecord] = await self._run(
            lambda: query_traces(connection, function=function, limit=limit))
        return result


@contextlib.contextmanager
def open_readonly(path: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(path, readonly=True)
    try:
        yield connection
    finally:
        connection.close()
