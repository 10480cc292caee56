"""Pipeline runs as durable records: one row per run and one per stage, in the project's `state.db`.

The tables (`pipeline_runs`, `pipeline_stages`) are one of the store's migrations (workbench/engine/store/
schema.py); `connect` brings any database forward to them. Every function takes an open sqlite3 connection
and commits what it changes.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from workbench.engine import open_migrated

STAGES = ("Source", "Build", "Deploy")
#: Run statuses: queued -> running -> succeeded | failed | rolled-back. Stages: pending -> running -> one of
#: succeeded | failed | rolled-back | skipped.
FINISHED = ("succeeded", "failed", "rolled-back")


class RunNotFoundError(LookupError):
    """No run with that id."""


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    status: str
    started_at: float | None
    finished_at: float | None
    log: str

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "status": self.status, "startedAt": self.started_at,
                "finishedAt": self.finished_at}


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    repository: str
    ref: str
    old_commit: str
    commit: str
    status: str
    queued_at: float
    started_at: float | None
    finished_at: float | None
    error: str | None
    retry_of: int | None
    stages: tuple[Stage, ...] = field(default=())

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "commit": self.commit, "ref": self.ref, "oldCommit": self.old_commit,
                "repository": self.repository, "status": self.status, "queuedAt": self.queued_at,
                "startedAt": self.started_at, "finishedAt": self.finished_at, "error": self.error,
                "retryOf": self.retry_of, "stages": [stage.as_json() for stage in self.stages]}


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the store, its schema (the pipeline's tables among it) brought forward."""
    # Used from worker threads (asyncio.to_thread), one call at a time: the connection allows that.
    return open_migrated(path)


def with_store(path: Path) -> closing[sqlite3.Connection]:
    """``with with_store(path) as connection:`` - opened, and closed after."""
    return closing(connect(path))


def enqueue(connection: sqlite3.Connection, repository: str, ref: str, old_commit: str, commit: str, now: float,
            retry_of: int | None = None) -> int:
    """Record a push as a queued run with its three pending stages; returns the run's id."""
    with connection:
        cursor = connection.execute(
            "INSERT INTO pipeline_runs (repository, ref, old_commit, commit_sha, status, queued_at, retry_of) "
            "VALUES (?, ?, ?, ?, 'queued', ?, ?)", (repository, ref, old_commit, commit, now, retry_of))
        run_id = int(cursor.lastrowid or 0)
        connection.executemany("INSERT INTO pipeline_stages (run_id, position, name, status) VALUES (?, ?, ?, "
                               "'pending')", [(run_id, position, name) for position, name in enumerate(STAGES)])
    return run_id


def claim_next(connection: sqlite3.Connection, now: float) -> Run | None:
    """The oldest queued run, marked running (atomically: two workers never take the same run)."""
    with connection:
        row = connection.execute("SELECT id FROM pipeline_runs WHERE status = 'queued' ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return None
        changed = connection.execute("UPDATE pipeline_runs SET status = 'running', started_at = ? WHERE id = ? AND "
                                     "status = 'queued'", (now, row[0])).rowcount
    return get_run(connection, row[0]) if changed else None


def recover_interrupted(connection: sqlite3.Connection, now: float) -> list[int]:
    """Runs left 'running' by a workbench that stopped mid-run: failed, saying so (a retry runs them again)."""
    with connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM pipeline_runs WHERE status = 'running'")]
        for run_id in ids:
            connection.execute("UPDATE pipeline_stages SET status = 'failed', finished_at = ?, log = log || ? WHERE "
                               "run_id = ? AND status = 'running'", (now, "\nthe workbench stopped during this stage\n",
                                                                      run_id))
            connection.execute("UPDATE pipeline_stages SET status = 'skipped' WHERE run_id = ? AND status = 'pending'",
                               (run_id,))
            connection.execute("UPDATE pipeline_runs SET status = 'failed', finished_at = ?, error = ? WHERE id = ?",
                               (now, "interrupted: the workbench stopped during the run", run_id))
    return ids


def set_stage(connection: sqlite3.Connection, run_id: int, stage: str, status: str, now: float) -> None:
    column = "started_at" if status == "running" else "finished_at"
    with connection:
        connection.execute(f"UPDATE pipeline_stages SET status = ?, {column} = ? WHERE run_id = ? AND name = ?",
                           (status, now, run_id, stage))


def append_log(connection: sqlite3.Connection, run_id: int, stage: str, text: str) -> None:
    with connection:
        connection.execute("UPDATE pipeline_stages SET log = log || ? WHERE run_id = ? AND name = ?",
                           (text, run_id, stage))


def finish_run(connection: sqlite3.Connection, run_id: int, status: str, now: float, error: str | None = None) -> None:
    with connection:
        connection.execute("UPDATE pipeline_stages SET status = 'skipped' WHERE run_id = ? AND status = 'pending'",
                           (run_id,))
        connection.execute("UPDATE pipeline_runs SET status = ?, finished_at = ?, error = ? WHERE id = ?",
                           (status, now, error, run_id))


def get_run(connection: sqlite3.Connection, run_id: int) -> Run:
    row = connection.execute(
        "SELECT id, repository, ref, old_commit, commit_sha, status, queued_at, started_at, finished_at, error, "
        "retry_of FROM pipeline_runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise RunNotFoundError(run_id)
    stages = tuple(Stage(*stage) for stage in connection.execute(
        "SELECT name, status, started_at, finished_at, log FROM pipeline_stages WHERE run_id = ? ORDER BY position",
        (run_id,)))
    (id_, repository, ref, old_commit, commit, status, queued_at, started_at, finished_at, error, retry_of) = row
    return Run(id_, repository, ref, old_commit, commit, status, queued_at, started_at, finished_at, error, retry_of,
               stages)


def list_runs(connection: sqlite3.Connection, limit: int = 50) -> list[Run]:
    ids = [row[0] for row in connection.execute("SELECT id FROM pipeline_runs ORDER BY id DESC LIMIT ?", (limit,))]
    return [get_run(connection, run_id) for run_id in ids]


def retry(connection: sqlite3.Connection, run_id: int, now: float) -> int:
    """Queue the commit of run ``run_id`` again, as a new run."""
    run = get_run(connection, run_id)
    return enqueue(connection, run.repository, run.ref, run.old_commit, run.commit, now, retry_of=run.id)
