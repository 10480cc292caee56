"""`workbench pipeline`: the runs of a project's pipeline (one per push to its origin), their stages and
logs; `retry` queues a run's commit again. `enqueue` is what the repository's hook calls."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from workbench.commands.serve import served_url
from workbench.engine import SchemaTooNewError
from workbench.model.project import STATE_DIR_NAME
from workbench.pipeline import store
from workbench.pipeline.hook import enqueue_pushes

#: How often `logs --follow` looks for more output.
FOLLOW_INTERVAL_S = 0.2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("pipeline", help="the pipeline runs of a project (one per git push)",
                                   description="Runs of the project's pipeline: every push to its origin is one.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    runs = actions.add_parser("runs", help="list the runs, newest first")
    runs.add_argument("--json", action="store_true")
    show = actions.add_parser("show", help="a run's stages, statuses and times")
    show.add_argument("run", type=int)
    show.add_argument("--json", action="store_true")
    logs = actions.add_parser("logs", help="a run's log, stage by stage")
    logs.add_argument("run", type=int)
    logs.add_argument("--follow", action="store_true", help="keep printing until the run finishes")
    retry = actions.add_parser("retry", help="queue the commit of a run again")
    retry.add_argument("run", type=int)
    enqueue = actions.add_parser("enqueue", help="(for the git hook) queue runs for the pushes on stdin")
    enqueue.add_argument("--repository", type=Path, required=True)
    for sub in (runs, show, logs, retry, enqueue):
        sub.add_argument("--project", type=Path, default=None, help="the project folder (default: the current one)")
    parser.set_defaults(handler=pipeline_command)


def pipeline_command(args: argparse.Namespace) -> int:
    state_dir = (args.project or Path.cwd()).resolve() / STATE_DIR_NAME
    database = state_dir / "state.db"
    try:
        if args.action == "enqueue":
            return _enqueue(state_dir, args.repository.resolve())
        if not database.is_file():
            print(f"workbench: error: {state_dir.parent} has no pipeline runs (no {STATE_DIR_NAME}/state.db)",
                  file=sys.stderr)
            return 2
        with store.with_store(database) as connection:
            if args.action == "runs":
                _print_runs(store.list_runs(connection), args.json)
            elif args.action == "show":
                _print_run(store.get_run(connection, args.run), args.json)
            elif args.action == "logs":
                _print_logs(connection, args.run, args.follow)
            else:
                run_id = store.retry(connection, args.run, time.time())
                print(f"run {run_id} queued (a retry of run {args.run}); {_who_runs_it(state_dir)}")
    except SchemaTooNewError as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return 2
    except store.RunNotFoundError as exc:
        print(f"workbench: error: there is no pipeline run {exc.args[0]} (see `workbench pipeline runs`)",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


def _who_runs_it(state_dir: Path) -> str:
    url = served_url(state_dir)
    if url is not None:
        return f"the workbench at {url} runs it now"
    return f"it runs when `workbench serve --project {state_dir.parent}` starts"


def _enqueue(state_dir: Path, repository: Path) -> int:
    queued = enqueue_pushes(state_dir / "state.db", repository, sys.stdin.read().splitlines())
    for run_id, commit in queued:
        print(f"workbench: pipeline run {run_id} queued for {commit[:12]}; {_who_runs_it(state_dir)}")
    return 0


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _print_runs(runs: list[store.Run], as_json: bool) -> None:
    if as_json:
        print(json.dumps([run.as_json() for run in runs], indent=2))
        return
    if not runs:
        print("no pipeline runs yet: push to the project's origin")
    for run in runs:
        stages = " ".join(f"{stage.name}:{stage.status}" for stage in run.stages)
        print(f"{run.id:>4}  {run.commit[:12]}  {run.status:<11}  {_when(run.queued_at)}  {stages}")


def _print_run(run: store.Run, as_json: bool) -> None:
    if as_json:
        print(json.dumps(run.as_json(), indent=2))
        return
    print(f"run {run.id}: {run.status}  commit {run.commit} ({run.ref})")
    print(f"  queued {_when(run.queued_at)}  started {_when(run.started_at)}  finished {_when(run.finished_at)}")
    if run.retry_of is not None:
        print(f"  a retry of run {run.retry_of}")
    for stage in run.stages:
        print(f"  {stage.name:<7} {stage.status:<11} {_when(stage.started_at)} -> {_when(stage.finished_at)}")
    if run.error:
        print(f"  error: {run.error}")


def _print_logs(connection: sqlite3.Connection, run_id: int, follow: bool) -> None:
    printed: dict[str, int] = {}
    while True:
        run = store.get_run(connection, run_id)
        for stage in run.stages:
            done = printed.get(stage.name, 0)
            if len(stage.log) > done:
                if done == 0:
                    print(f"==> {stage.name}", flush=True)
                sys.stdout.write(stage.log[done:])
                sys.stdout.flush()
                printed[stage.name] = len(stage.log)
        if not follow or run.finished:
            if run.finished and follow:
                print(f"==> run {run.id} {run.status}" + (f": {run.error}" if run.error else ""))
            return
        time.sleep(FOLLOW_INTERVAL_S)
