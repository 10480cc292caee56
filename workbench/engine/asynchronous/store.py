"""The queue's rows in the project's store: every accepted event (committed before the 202 is sent), its
state and attempts, and the FunctionEventInvokeConfigs.

Accepting is the hot path, so inserts are group-committed: while one transaction is being written the next
events gather, and each caller is answered once the transaction holding its event has committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from workbench.engine.asynchronous.config import EventInvokeConfig
from workbench.engine.asynchronous.events import EventState
from workbench.engine.core.tasks import Supervisor
from workbench.engine.store.database import Database

OPEN_STATES = (EventState.QUEUED, EventState.RUNNING, EventState.RETRY_WAIT)
_COLUMNS = ("request_id, function, qualifier, payload, state, received, due, attempts, function_errors, throttles, "
            "history, outcome, finished")


@dataclass(slots=True)
class QueuedEvent:
    """One accepted event and what has happened to it. `received` and `due` are epoch seconds on the engine's
    clock (so an event's age counts the time the workbench was stopped, as it would on AWS)."""

    request_id: str
    function: str
    qualifier: str | None          # as invoked; None: unqualified
    payload: bytes
    received: float
    due: float
    state: EventState = EventState.QUEUED
    attempts: int = 0              # attempts that ran the function (not the throttled ones)
    function_errors: int = 0
    throttles: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    outcome: str | None = None
    finished: float | None = None

    def row(self) -> tuple[Any, ...]:
        return (self.request_id, self.function, self.qualifier, self.payload, str(self.state), self.received,
                self.due, self.attempts, self.function_errors, self.throttles, json.dumps(self.history),
                self.outcome, self.finished)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> QueuedEvent:
        return cls(row["request_id"], row["function"], row["qualifier"], bytes(row["payload"]), row["received"],
                   row["due"], EventState(row["state"]), row["attempts"], row["function_errors"], row["throttles"],
                   json.loads(row["history"]), row["outcome"], row["finished"])


@contextlib.contextmanager
def _snapshot(connection: sqlite3.Connection) -> Iterator[None]:
    """Reads that see one state of the database (a read transaction), not one each."""
    connection.execute("BEGIN")
    try:
        yield
    finally:
        connection.rollback()


def _max_rowid(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT COALESCE(MAX(rowid), 0) FROM async_events").fetchone()[0])


def query_events(connection: sqlite3.Connection, function: str | None = None, *, open_only: bool = False,
                 limit: int = 1000, newest: bool = False) -> list[QueuedEvent]:
    """Events, oldest first (for `workbench events`, which reads the store read-only, and for recovery);
    with ``newest``, the last ``limit`` of them."""
    where, params = [], []
    if function is not None:
        where.append("function = ?")
        params.append(function)
    if open_only:
        where.append(f"state IN ({', '.join('?' * len(OPEN_STATES))})")
        params.extend(str(state) for state in OPEN_STATES)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    order = "DESC" if newest else ""
    rows = connection.execute(f"SELECT {_COLUMNS} FROM async_events {clause} ORDER BY received {order}, rowid {order} "
                              "LIMIT ?", (*params, limit))
    found = [QueuedEvent.from_row(row) for row in rows]
    return found[::-1] if newest else found


class QueueStore:
    def __init__(self, database: Database, supervisor: Supervisor) -> None:
        self._database = database
        self._supervisor = supervisor
        self._pending: list[tuple[QueuedEvent, asyncio.Future[None]]] = []
        self._flushing = False

    async def insert(self, event: QueuedEvent) -> None:
        """Return once ``event`` is committed (it then survives a kill -9 of the workbench)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((event, future))
        if not self._flushing:
            self._flushing = True
            self._supervisor.spawn(self._flush(), "async-queue-commit")
        await asyncio.shield(future)

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                rows = [event.row() for event, _ in batch]

                def write(connection: sqlite3.Connection, rows: list[tuple[Any, ...]] = rows) -> bool:
                    with connection:
                        connection.executemany(
                            f"INSERT OR REPLACE INTO async_events ({_COLUMNS}) VALUES ({', '.join('?' * 13)})", rows)
                    return True

                try:
                    done = await self._database.run(write) is True
                except BaseException as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc if isinstance(exc, Exception) else RuntimeError("cancelled"))
                    raise
                for _, future in batch:
                    if future.done():
                        continue
                    if done:
                        future.set_result(None)
                    else:
                        future.set_exception(RuntimeError("the project's store is closed"))
        finally:
            self._flushing = False

    async def update(self, event: QueuedEvent) -> None:
        await self._database.transaction([(
            "UPDATE async_events SET state = ?, due = ?, attempts = ?, function_errors = ?, throttles = ?, "
            "history = ?, outcome = ?, finished = ? WHERE request_id = ?",
            (str(event.state), event.due, event.attempts, event.function_errors, event.throttles,
             json.dumps(event.history), event.outcome, event.finished, event.request_id))])

    async def open_events(self) -> tuple[int, list[QueuedEvent]]:
        """Every open event, and the highest rowid at the time of reading (where `added_since` goes on)."""
        def read(connection: sqlite3.Connection) -> tuple[int, list[QueuedEvent]]:
            with _snapshot(connection):
                return _max_rowid(connection), query_events(connection, open_only=True, limit=10_000_000)

        return await self._database.run(read) or (0, [])

    async def added_since(self, rowid: int) -> tuple[int, list[QueuedEvent]]:
        """Open events written after ``rowid`` (by this engine or by another one on the project), and the new
        highest rowid. Rowids only grow here: pruning never deletes the newest row (see `prune`)."""
        def read(connection: sqlite3.Connection) -> tuple[int, list[QueuedEvent]]:
            with _snapshot(connection):
                top = _max_rowid(connection)
                if top <= rowid:
                    return top, []
                rows = connection.execute(
                    f"SELECT {_COLUMNS} FROM async_events WHERE rowid > ? AND rowid <= ? AND "
                    f"state IN ({', '.join('?' * len(OPEN_STATES))}) ORDER BY rowid",
                    (rowid, top, *(str(state) for state in OPEN_STATES)))
                return top, [QueuedEvent.from_row(row) for row in rows]

        return await self._database.run(read) or (rowid, [])

    async def prune(self, finished_before: float, keep: int) -> int:
        """Forget finished events (with their attempts): those finished before ``finished_before``, and all but
        the newest ``keep`` of each function. Open events are never touched, nor the newest row, so that
        rowids keep growing (SQLite reuses the highest one once it is deleted)."""
        finished = [str(state) for state in EventState if state.finished]
        marks = ", ".join("?" * len(finished))

        def delete(connection: sqlite3.Connection) -> int:
            with connection:
                newest = _max_rowid(connection)
                old = connection.execute(
                    f"DELETE FROM async_events WHERE finished IS NOT NULL AND finished < ? AND state IN ({marks}) "
                    "AND rowid < ?", (finished_before, *finished, newest)).rowcount
                many = connection.execute(
                    "DELETE FROM async_events WHERE rowid < ? AND rowid IN (SELECT rowid FROM (SELECT rowid, "
                    "ROW_NUMBER() OVER (PARTITION BY function ORDER BY finished DESC, rowid DESC) AS n FROM "
                    f"async_events WHERE finished IS NOT NULL AND state IN ({marks})) WHERE n > ?)",
                    (newest, *finished, keep)).rowcount
            return int(old) + int(many)

        return await self._database.run(delete) or 0

    # -- configurations ---------------------------------------------------------------------------------
    async def configs(self) -> list[EventInvokeConfig]:
        def read(connection: sqlite3.Connection) -> list[EventInvokeConfig]:
            return [EventInvokeConfig.from_document(r["function"], r["qualifier"], json.loads(r["document"]),
                                                    r["last_modified"])
                    for r in connection.execute("SELECT * FROM event_invoke_configs ORDER BY function, qualifier")]

        return await self._database.run(read) or []

    async def save_config(self, config: EventInvokeConfig) -> None:
        await self._database.transaction([(
            "INSERT OR REPLACE INTO event_invoke_configs (function, qualifier, document, last_modified) "
            "VALUES (?, ?, ?, ?)",
            (config.function, config.qualifier, json.dumps(config.to_document()), config.last_modified))])

    async def delete_configs(self, function: str, qualifier: str | None = None) -> None:
        if qualifier is None:
            await self._database.transaction([("DELETE FROM event_invoke_configs WHERE function = ?", (function,))])
        else:
            await self._database.transaction([(
                "DELETE FROM event_invoke_configs WHERE function = ? AND qualifier = ?", (function, qualifier))])
