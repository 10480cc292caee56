"""What the project remembers between sessions, in the project's store beside the logs.

The template is the source of truth for what it declares; the state keeps everything else: functions created
through the API, published versions and aliases of every function, layer versions, concurrency settings,
and the version counters that must never go back (versions and layer versions are never renumbered).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workbench.engine.store.database import Database


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


def _upsert(table: str, columns: str, values: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """An INSERT OR REPLACE of ``values`` into the named ``columns`` (never positional: columns may be added)."""
    marks = ", ".join("?" * len(values))
    return f"INSERT OR REPLACE INTO {table} ({columns}) VALUES ({marks})", values


class ProjectState:
    """The catalogue's rows (functions, versions, aliases, layers, concurrency) in the project's `Database`."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def load(self) -> Snapshot:
        snapshot = await self.database.run(self._read)
        if snapshot is None:
            raise RuntimeError("the project's store is not open")
        return snapshot

    @staticmethod
    def _read(connection: sqlite3.Connection) -> Snapshot:
        functions = [FunctionRow(r["name"], r["source"], json.loads(r["config"]), r["code"], json.loads(r["layers"]),
                                 r["last_modified"], r["revision_id"], r["last_version"])
                     for r in connection.execute("SELECT * FROM functions ORDER BY rowid")]
        versions = [VersionRow(r["function"], r["version"], json.loads(r["config"]), r["code"],
                               json.loads(r["layers"]), r["last_modified"], r["revision_id"], r["description"])
                    for r in connection.execute("SELECT * FROM versions ORDER BY function, CAST(version AS INTEGER)")]
        aliases = [AliasRow(r["function"], r["name"], r["version"], r["description"], json.loads(r["weights"]),
                            r["revision_id"])
                   for r in connection.execute("SELECT * FROM aliases ORDER BY function, name")]
        layers = [LayerRow(r["name"], r["version"], r["code"], r["created"], r["description"],
                           json.loads(r["runtimes"]), json.loads(r["architectures"]), r["license"], r["source"],
                           bool(r["deleted"]))
                  for r in connection.execute("SELECT * FROM layer_versions ORDER BY name, version")]
        reserved = {r["function"]: r["reserved"]
                    for r in connection.execute("SELECT function, reserved FROM concurrency")}
        provisioned = [(r["function"], r["qualifier"], r["requested"])
                       for r in connection.execute("SELECT function, qualifier, requested FROM provisioned")]
        return Snapshot(functions, versions, aliases, layers, reserved, provisioned)

    async def _execute(self, statements: Iterable[tuple[str, tuple[Any, ...]]]) -> None:
        await self.database.transaction(list(statements))

    # -- writes -----------------------------------------------------------------------------------------
    async def save_function(self, row: FunctionRow) -> None:
        await self._execute([_upsert(
            "functions", "name, source, config, code, layers, last_modified, revision_id, last_version",
            (row.name, row.source, json.dumps(row.config), row.code, json.dumps(row.layers), row.last_modified,
             row.revision_id, row.last_version))])

    async def delete_function(self, name: str) -> None:
        await self._execute([(f"DELETE FROM {table} WHERE function = ?", (name,))
                             for table in ("versions", "aliases", "concurrency", "provisioned")]
                            + [("DELETE FROM functions WHERE name = ?", (name,))])

    async def save_version(self, row: VersionRow) -> None:
        await self._execute([_upsert(
            "versions", "function, version, config, code, layers, last_modified, revision_id, description",
            (row.function, row.version, json.dumps(row.config), row.code, json.dumps(row.layers), row.last_modified,
             row.revision_id, row.description))])

    async def delete_version(self, function: str, version: str) -> None:
        await self._execute([("DELETE FROM versions WHERE function = ? AND version = ?", (function, version))])

    async def save_alias(self, row: AliasRow) -> None:
        await self._execute([_upsert(
            "aliases", "function, name, version, description, weights, revision_id",
            (row.function, row.name, row.version, row.description, json.dumps(row.weights), row.revision_id))])

    async def delete_alias(self, function: str, name: str) -> None:
        await self._execute([("DELETE FROM aliases WHERE function = ? AND name = ?", (function, name)),
                             ("DELETE FROM provisioned WHERE function = ? AND qualifier = ?", (function, name))])

    async def save_layer(self, row: LayerRow) -> None:
        await self._execute([_upsert(
            "layer_versions", "name, version, code, created, description, runtimes, architectures, license, source, "
            "deleted", (row.name, row.version, row.code, row.created, row.description, json.dumps(row.runtimes),
                        json.dumps(row.architectures), row.license, row.source, int(row.deleted)))])

    async def save_reserved(self, function: str, reserved: int | None) -> None:
        if reserved is None:
            await self._execute([("DELETE FROM concurrency WHERE function = ?", (function,))])
        else:
            await self._execute([_upsert("concurrency", "function, reserved", (function, reserved))])

    async def save_provisioned(self, function: str, qualifier: str, requested: int | None) -> None:
        if requested is None:
            await self._execute([("DELETE FROM provisioned WHERE function = ? AND qualifier = ?",
                                  (function, qualifier))])
        else:
            await self._execute([_upsert("provisioned", "function, qualifier, requested",
                                         (function, qualifier, requested))])
