"""The project's one SQLite database (WAL) under `.workbench/`, and the one thread that uses it.

Every part of the engine that persists something (logs and traces, the catalogue, and the rooms to come)
shares this connection through `Database.run`, which hands work to a single writer thread: SQLite wants one
writer, and the event loop must never wait for the disk. Readers in other processes (`workbench logs
--follow`) open their own read-only connections and see committed rows thanks to WAL.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from workbench.engine.store.schema import LATEST_VERSION, MIGRATIONS

T = TypeVar("T")


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer workbench; writing to it with this schema could corrupt it."""


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA busy_timeout=5000")
    connection.row_factory = sqlite3.Row
    return connection


def schema_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection, path: Path) -> int:
    """Bring the schema forward to `LATEST_VERSION`; returns the version the database had."""
    found = schema_version(connection)
    if found > LATEST_VERSION:
        raise SchemaTooNewError(f"{path} has schema version {found}, newer than this workbench's {LATEST_VERSION}: "
                                "open it with a newer workbench, or move it away to start afresh")
    for migration in MIGRATIONS:
        if migration.version > found:
            # executescript commits before it runs; the version bump follows in the same script.
            connection.executescript(f"BEGIN;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;")
    return found


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="workbench-store")
        self._connection: sqlite3.Connection | None = None
        self.migrated_from: int | None = None

    @property
    def is_open(self) -> bool:
        return self._connection is not None

    async def open(self) -> None:
        def opening() -> None:
            connection = connect(self.path)
            try:
                self.migrated_from = migrate(connection, self.path)
            except BaseException:
                connection.close()
                raise
            self._connection = connection

        await self._submit(opening)

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await self._submit(connection.close)
        self._executor.shutdown(wait=True)

    async def _submit(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T | None:
        """Run ``work(connection)`` on the store's thread; None (nothing run) once the store is closed."""
        def call() -> T | None:
            connection = self._connection
            return None if connection is None else work(connection)

        return await self._submit(call)

    async def transaction(self, statements: list[tuple[str, tuple[object, ...]]]) -> None:
        """Run ``statements`` atomically: all of them are written, or none."""
        def write(connection: sqlite3.Connection) -> None:
            with connection:
                for sql, params in statements:
                    connection.execute(sql, params)

        await self.run(write)
