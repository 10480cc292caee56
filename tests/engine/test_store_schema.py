"""One store with a schema version: databases written by earlier workbenches open, newer ones are refused."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import make_project
from workbench.engine import Engine
from workbench.engine.store.database import Database, SchemaTooNewError, schema_version
from workbench.engine.store.schema import LATEST_VERSION, MIGRATIONS

WAVE1_SCHEMA = Path(__file__).parent.parent / "fixtures" / "state-schema-wave1.sql"


def test_migrations_are_numbered_in_order() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))


async def test_a_database_written_by_the_unversioned_schema_opens_with_its_data(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"Fn": {"InlineCode": "def h(e, c):\n    return 1\n",
                                                   "Handler": "index.h", "Runtime": "python3.11"}})
    path = project.state_dir / "state.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    old = sqlite3.connect(path)
    old.executescript(WAVE1_SCHEMA.read_text())
    old.execute("INSERT INTO log_events (ts, log_stream, function, request_id, platform, message) "
                "VALUES (1.0, 's', 'Fn', 'r-1', 1, 'START RequestId: r-1 Version: $LATEST')")
    old.execute("INSERT INTO concurrency VALUES ('Api', 7)")
    old.execute("INSERT INTO layer_versions VALUES ('lib', 1, 'missing', 1.0, '', ?, '[]', NULL, 'api', 0)",
                (json.dumps([]),))
    old.commit()
    assert schema_version(old) == 0
    old.close()

    async with Engine(project) as engine:
        assert engine.database.migrated_from == 0
        logs = await engine.logs("Fn")
        assert [line.message for line in logs][:1] == ["START RequestId: r-1 Version: $LATEST"]
        assert (await engine.state.load()).reserved == {"Api": 7}
    check = sqlite3.connect(path)
    assert schema_version(check) == LATEST_VERSION
    check.close()


async def test_a_database_from_a_newer_workbench_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    newer = sqlite3.connect(path)
    newer.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    newer.close()
    database = Database(path)
    with pytest.raises(SchemaTooNewError, match="newer than this workbench"):
        await database.open()
    await database.close()
    check = sqlite3.connect(path)
    assert schema_version(check) == LATEST_VERSION + 1
    check.close()


async def test_a_database_of_the_workbench_before_the_asynchronous_queue_gains_its_tables(tmp_path: Path) -> None:
    """The queue's tables are a migration after the catalogue's: a database at that version keeps its rows."""
    queue = next(m for m in MIGRATIONS if "async_events" in m.sql)
    assert queue.version > 1 and all("async_events" not in m.sql for m in MIGRATIONS if m.version < queue.version)
    path = tmp_path / "state.db"
    old = sqlite3.connect(path)
    for migration in MIGRATIONS[:queue.version - 1]:
        old.executescript(migration.sql)
    old.execute("INSERT INTO concurrency VALUES ('Api', 7)")
    old.execute(f"PRAGMA user_version = {queue.version - 1}")
    old.commit()
    old.close()
    database = Database(path)
    await database.open()
    try:
        assert database.migrated_from == queue.version - 1

        def tables(connection: sqlite3.Connection) -> set[str]:
            return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

        found = await database.run(tables)
        assert found is not None and {"async_events", "event_invoke_configs", "concurrency"} <= found
        assert await database.run(lambda c: [tuple(r) for r in c.execute("SELECT reserved FROM concurrency")]) == [(7,)]
    finally:
        await database.close()
