"""The schema of the project's store, `.workbench/state.db`, as a list of forward migrations.

`PRAGMA user_version` records how many migrations a database has had. Opening a database runs the ones it
lacks, in order, each in its own transaction, so a database written by any earlier workbench opens in a later
one. A database from a *newer* workbench is refused rather than written to with a schema we do not know.

Migration 1 is the unversioned schema of the first workbench (every statement `IF NOT EXISTS`, so a database
it wrote, at user_version 0 with its tables present, takes it as a no-op). Later rooms of the engine (the
asynchronous queue, event source checkpoints, pipeline runs) append migrations here; never edit one that has
shipped.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    sql: str


MIGRATIONS: list[Migration] = [
    Migration(1, "logs, traces and the catalogue (functions, versions, aliases, layers, concurrency)", """
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
"""),
    # The pipeline's runs (one per push to an application template's origin) and their stages, written by
    # workbench.pipeline.store (from `workbench serve` and from the git hook's process). Self-contained:
    # nothing else refers to these tables.
    Migration(2, "pipeline runs and their stages (Source, Build, Deploy)", """
CREATE TABLE IF NOT EXISTS pipeline_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    repository TEXT NOT NULL,
    ref TEXT NOT NULL,
    old_commit TEXT NOT NULL,
    commit_sha TEXT NOT NULL,
    status TEXT NOT NULL,
    queued_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    error TEXT,
    retry_of INTEGER
);
CREATE INDEX IF NOT EXISTS pipeline_runs_status ON pipeline_runs (status, id);
CREATE TABLE IF NOT EXISTS pipeline_stages (
    run_id INTEGER NOT NULL REFERENCES pipeline_runs (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at REAL,
    finished_at REAL,
    log TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, name)
);
"""),
    Migration(3, "event source mappings and their per-shard checkpoints", """
CREATE TABLE event_source_mappings (uuid TEXT PRIMARY KEY, config TEXT NOT NULL);
CREATE TABLE event_source_checkpoints (
    uuid TEXT NOT NULL, shard TEXT NOT NULL, source_arn TEXT NOT NULL, sequence TEXT NOT NULL, window TEXT,
    PRIMARY KEY (uuid, shard)
);
"""),
    Migration(4, "SnapStart: the Restore span of a trace", """
ALTER TABLE traces ADD COLUMN restore_start REAL;
ALTER TABLE traces ADD COLUMN restore_end REAL;
"""),
    Migration(5, "the asynchronous invocation queue and FunctionEventInvokeConfigs", """
CREATE TABLE async_events (
    request_id TEXT PRIMARY KEY,
    function TEXT NOT NULL,
    qualifier TEXT,
    payload BLOB NOT NULL,
    state TEXT NOT NULL,
    received REAL NOT NULL,
    due REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    function_errors INTEGER NOT NULL DEFAULT 0,
    throttles INTEGER NOT NULL DEFAULT 0,
    history TEXT NOT NULL DEFAULT '[]',
    outcome TEXT,
    finished REAL
);
CREATE INDEX async_events_open ON async_events (state) WHERE state IN ('queued', 'running', 'retry-wait');
CREATE INDEX async_events_function ON async_events (function, received);
CREATE TABLE event_invoke_configs (
    function TEXT NOT NULL, qualifier TEXT NOT NULL, document TEXT NOT NULL, last_modified REAL NOT NULL,
    PRIMARY KEY (function, qualifier)
);
"""),
    Migration(6, "one asynchronous queue processor per project (a lease), and pruning finished events by age", """
CREATE TABLE async_processor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    owner TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    acquired REAL NOT NULL,
    heartbeat REAL NOT NULL
);
CREATE INDEX async_events_finished ON async_events (finished) WHERE finished IS NOT NULL;
"""),
    # A stream keeps its ARN when it is made again (the local services restart empty and the template's streams
    # are created anew), but its sequence numbers start over: a checkpoint is only good on the stream it was made
    # on, known by its creation time.
    Migration(7, "event source checkpoints remember the creation time of their stream", """
ALTER TABLE event_source_checkpoints ADD COLUMN source_created REAL;
"""),
]

LATEST_VERSION = MIGRATIONS[-1].version
