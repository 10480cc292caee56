"""What the project remembers between sessions, in `.workbench/state.db` beside the logs.

The template is the source of truth for what it declares; the state keeps everything else: functions created
through the API, published versions and aliases of every function, layer versions, concurrency settings,
and the version counters that must never go back (versions and layer versions are never renumbered).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.engine.store.logs import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS functions (
    name TEXT PRIMARY KEY, source TEXT NOT NULL, config TEXT NOT NULL, code TEXT NOT NULL, layers TEXT NOT NULL,
    last_modified REAL NOT NULL, revision_id TEXT NOT NULL, last_version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    function TEXT NOT NULL, version TEXT NOT NULL, config TEXT NOT NULL, code TEXT NOT NULL, layers TEXT NOT NULL,
    last_modified REAL NOT NULL, revision_id TEXT NOT NULL, description TEXT, PRIMARY KEY (function, version)
);
CREATE TABLE IF NOT EXISTS aliases (
    function TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, description TEXT NOT NULL,
    weights TEXT NOT NULL, revision_id TEXT NOT NULL, PRIMARY KEY (function, name)
);
CREATE TABLE IF NOT EXISTS layer_versions (
    name TEXT NOT NULL, version INTEGER NOT NULL, code TEXT NOT NULL, created REAL NOT NULL,
    description TEXT NOT NULL, runtimes TEXT NOT NULL, architectures TEXT NOT NULL, license TEXT,
    source TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS concurrency (function TEXT PRIMARY KEY, reserved INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS provisioned (
    function TEXT NOT NULL, qualifier TEXT NOT NULL, requested INTEGER NOT NULL, PRIMARY KEY (function, qualifier)
);
"""


@dataclass(frozen=True, slots=True)
class FunctionRow:
    name: str
    source: str
    config: dict[str, Any]
    code: str
    layers: list[str]
    last_modified: float
    revision_id: str
    last_version: int


@dataclass(frozen=True, slots=True)
class VersionRow:
    function: str
    version: str
    config: dict[str, Any]
    code: str
    layers: list[str]
    last_modified: float
    revision_id: str
    description: str | None


@dataclass(frozen=True, slots=True)
class AliasRow:
    function: str
    name: str
    version: str
    description: str
    weights: dict[str, float]
    revision_id: str


@dataclass(frozen=True, slots=True)
class LayerRow:
    name: str
    version: int
    code: str
    created: float
    description: str
    runtimes: list[str]
    architectures: list[str]
    license: str | None
    source: str
    deleted: bool


@dataclass(frozen=True, slots=True)
class Snapshot:
    functions: list[FunctionRow]
    versions: list[VersionRow]
    aliases: list[AliasRow]
    layers: list[LayerRow]
    reserved: dict[str, int]
    provisioned: list[tuple[str, str, int]]


class ProjectState:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    async def open(self) -> Snapshot:
        def load() -> Snapshot:
            connection = connect(self.path)
            connection.executescript(SCHEMA)
            self._connection = connection
            return self._read(connection)

        return await asyncio.to_thread(load)

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await asyncio.to_thread(connection.close)

    @staticmethod
    def _read(connection: sqlite3.Connection) -> Snapshot:
        functions = [FunctionRow(r[0], r[1], json.loads(r[2]), r[3], json.loads(r[4]), r[5], r[6], r[7])
                     for r in connection.execute("SELECT * FROM functions ORDER BY rowid")]
        versions = [VersionRow(r[0], r[1], json.loads(r[2]), r[3], json.loads(r[4]), r[5], r[6], r[7])
                    for r in connection.execute("SELECT * FROM versions ORDER BY function, CAST(version AS INTEGER)")]
        aliases = [AliasRow(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5])
                   for r in connection.execute("SELECT * FROM aliases ORDER BY function, name")]
        layers = [LayerRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), json.loads(r[6]), r[7], r[8], bool(r[9]))
                  for r in connection.execute("SELECT * FROM layer_versions ORDER BY name, version")]
        reserved = dict(connection.execute("SELECT function, reserved FROM concurrency").fetchall())
        provisioned = [(r[0], r[1], r[2]) for r in connection.execute("SELECT * FROM provisioned")]
        return Snapshot(functions, versions, aliases, layers, reserved, provisioned)

    async def _execute(self, statements: Iterable[tuple[str, tuple[Any, ...]]]) -> None:
        batch = list(statements)

        def run() -> None:
            with self._lock:
                if self._connection is None:
                    return
                with self._connection:
                    for sql, params in batch:
                        self._connection.execute(sql, params)

        await asyncio.to_thread(run)

    # -- writes -----------------------------------------------------------------------------------------
    async def save_function(self, row: FunctionRow) -> None:
        await self._execute([("INSERT OR REPLACE INTO functions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              (row.name, row.source, json.dumps(row.config), row.code, json.dumps(row.layers),
                               row.last_modified, row.revision_id, row.last_version))])

    async def delete_function(self, name: str) -> None:
        await self._execute([(f"DELETE FROM {table} WHERE function = ?", (name,))
                             for table in ("versions", "aliases", "concurrency", "provisioned")]
                            + [("DELETE FROM functions WHERE name = ?", (name,))])

    async def save_version(self, row: VersionRow) -> None:
        await self._execute([("INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              (row.function, row.version, json.dumps(row.config), row.code, json.dumps(row.layers),
                               row.last_modified, row.revision_id, row.description))])

    async def delete_version(self, function: str, version: str) -> None:
        await self._execute([("DELETE FROM versions WHERE function = ? AND version = ?", (function, version))])

    async def save_alias(self, row: AliasRow) -> None:
        await self._execute([("INSERT OR REPLACE INTO aliases VALUES (?, ?, ?, ?, ?, ?)",
                              (row.function, row.name, row.version, row.description, json.dumps(row.weights),
                               row.revision_id))])

    async def delete_alias(self, function: str, name: str) -> None:
        await self._execute([("DELETE FROM aliases WHERE function = ? AND name = ?", (function, name)),
                             ("DELETE FROM provisioned WHERE function = ? AND qualifier = ?", (function, name))])

    async def save_layer(self, row: LayerRow) -> None:
        await self._execute([("INSERT OR REPLACE INTO layer_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              (row.name, row.version, row.code, row.created, row.description,
                               json.dumps(row.runtimes), json.dumps(row.architectures), row.license, row.source,
                               int(row.deleted)))])

    async def save_reserved(self, function: str, reserved: int | None) -> None:
        if reserved is None:
            await self._execute([("DELETE FROM concurrency WHERE function = ?", (function,))])
        else:
            await self._execute([("INSERT OR REPLACE INTO concurrency VALUES (?, ?)", (function, reserved))])

    async def save_provisioned(self, function: str, qualifier: str, requested: int | None) -> None:
        if requested is None:
            await self._execute([("DELETE FROM provisioned WHERE function = ? AND qualifier = ?",
                                  (function, qualifier))])
        else:
            await self._execute([("INSERT OR REPLACE INTO provisioned VALUES (?, ?, ?)",
                                  (function, qualifier, requested))])
