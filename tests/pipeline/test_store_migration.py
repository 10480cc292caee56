"""The pipeline's tables are one of the store's migrations: a database the engine made (at the schema before
them) gains them when the pipeline opens it, the engine's own database has them, and a database of a newer
workbench is refused with a clear error by the pipeline's command."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.engine import Engine
from workbench.engine.store.database import schema_version
from workbench.engine.store.schema import LATEST_VERSION, MIGRATIONS
from workbench.pipeline import store

PIPELINE_MIGRATION = next(m for m in MIGRATIONS if "pipeline_runs" in m.sql)


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_an_older_store_is_brought_forward_by_the_pipeline(tmp_path: Path) -> None:
    database = tmp_path / "state.db"
    older = sqlite3.connect(database)
    for migration in MIGRATIONS:
        if migration.version < PIPELINE_MIGRATION.version:
            older.executescript(migration.sql)
    older.execute(f"PRAGMA user_version = {PIPELINE_MIGRATION.version - 1}")
    older.close()
    assert "pipeline_runs" not in tables(database)
    with store.with_store(database) as connection:
        assert schema_version(connection) == LATEST_VERSION
        run_id = store.enqueue(connection, "/repo.git", "refs/heads/main", "0" * 40, "ab" * 20, 1.0)
        assert [stage.status for stage in store.get_run(connection, run_id).stages] == ["pending"] * 3


async def test_the_engines_store_has_the_pipeline_tables(tmp_path: Path) -> None:
    async with Engine(None, state_dir=tmp_path / ".workbench"):
        pass
    assert {"pipeline_runs", "pipeline_stages", "log_events"} <= tables(tmp_path / ".workbench" / "state.db")


def test_a_newer_store_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / ".workbench" / "state.db"
    database.parent.mkdir()
    with sqlite3.connect(database) as newer:
        newer.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    assert main(["pipeline", "runs", "--project", str(tmp_path)]) == 2
    assert "newer than this workbench's" in capsys.readouterr().err
