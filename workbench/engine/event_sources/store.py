"""Mappings and their progress in the project's store: the mapping settings, and per shard the checkpoint
(the last sequence number done) and the open tumbling window's state, so a restart resumes where it stopped."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from workbench.engine.event_sources.config import MappingConfig
from workbench.engine.store.database import Database


@dataclass(frozen=True, slots=True)
class Checkpoint:
    sequence: str
    window: dict[str, Any] | None = None   # {"start": epoch, "state": {...}} of the open tumbling window


class MappingStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def load(self) -> list[MappingConfig]:
        def read(connection: sqlite3.Connection) -> list[MappingConfig]:
            rows = connection.execute("SELECT config FROM event_source_mappings ORDER BY uuid").fetchall()
            return [MappingConfig.from_json(json.loads(row["config"])) for row in rows]

        return await self._database.run(read) or []

    async def save(self, config: MappingConfig) -> None:
        await self._database.transaction([(
            "INSERT INTO event_source_mappings (uuid, config) VALUES (?, ?) "
            "ON CONFLICT (uuid) DO UPDATE SET config = excluded.config", (config.uuid, json.dumps(config.to_json())))])

    async def delete(self, uuid: str) -> None:
        await self._database.transaction([
            ("DELETE FROM event_source_mappings WHERE uuid = ?", (uuid,)),
            ("DELETE FROM event_source_checkpoints WHERE uuid = ?", (uuid,))])

    async def forget_checkpoints(self, uuid: str) -> None:
        await self._database.transaction([("DELETE FROM event_source_checkpoints WHERE uuid = ?", (uuid,))])

    async def checkpoints(self, uuid: str, source_arn: str, created: float | None) -> dict[str, Checkpoint]:
        """The checkpoints of ``uuid`` made on ``source_arn`` as created at ``created`` (those of an earlier source,
        or of an earlier stream of the same ARN, are worthless: its sequence numbers started over)."""
        def read(connection: sqlite3.Connection) -> dict[str, Checkpoint]:
            rows = connection.execute("SELECT shard, sequence, window, source_created FROM event_source_checkpoints "
                                      "WHERE uuid = ? AND source_arn = ?", (uuid, source_arn)).fetchall()
            return {row["shard"]: Checkpoint(row["sequence"], json.loads(row["window"]) if row["window"] else None)
                    for row in rows if created is None or row["source_created"] in (None, created)}

        return await self._database.run(read) or {}

    async def save_checkpoint(self, uuid: str, source_arn: str, shard: str, checkpoint: Checkpoint,
                              created: float | None) -> None:
        window = json.dumps(checkpoint.window) if checkpoint.window is not None else None
        await self._database.transaction([(
            "INSERT INTO event_source_checkpoints (uuid, shard, source_arn, sequence, window, source_created) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uuid, shard) DO UPDATE SET source_arn = excluded.source_arn, "
            "sequence = excluded.sequence, window = excluded.window, source_created = excluded.source_created",
            (uuid, shard, source_arn, checkpoint.sequence, window, created))])
