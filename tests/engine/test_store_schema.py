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
