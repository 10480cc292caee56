"""`workbench events`: a function's asynchronous events from the project's store — the queue, each event's
state and every attempt — readable while a `workbench serve` or the GUI is running on the project."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from typing import Any

from workbench.commands.common import add_project_options, open_project, run_async, stored_function_name
from workbench.engine import QueuedEvent, iso_timestamp, open_readonly, query_events


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("events", help="show a function's asynchronous events and their attempts",
                                   description="List the asynchronous (Event) invocations of FUNCTION kept in the "
                                   "project's .workbench/: queued, running, waiting for a retry, succeeded, failed, "
                                   "expired or dropped (over the queue's bound), with each attempt and the process "
                                   "that ran it.")
    parser.add_argument("function")
    add_project_options(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object per event")
    parser.add_argument("--open", action="store_true", help="only events not finished yet")
    parser.add_argument("--limit", type=int, default=100, help="the newest N events (default 100)")
    parser.set_defaults(handler=lambda args: run_async(events(args)))


def as_document(event: QueuedEvent) -> dict[str, Any]:
    return {"requestId": event.request_id, "function": event.function, "qualifier": event.qualifier,
            "state": str(event.state), "received": iso_timestamp(event.received),
            "due": iso_timestamp(event.due) if not event.state.finished else None,
            "attempts": event.attempts, "functionErrors": event.function_errors, "throttles": event.throttles,
            "outcome": event.outcome, "finished": iso_timestamp(event.finished) if event.finished else None,
            "history": event.history, "payload": event.payload.decode("utf-8", "replace")}


def describe(event: QueuedEvent) -> list[str]:
    lines = [f"{iso_timestamp(event.received)}  {event.request_id}  {event.state:<10}  attempts {event.attempts}"
             + (f"  next at {iso_timestamp(event.due)}" if event.state == "retry-wait" else "")
             + (f"  {event.outcome}" if event.outcome else "")]
    for number, attempt in enumerate(event.history, 1):
        ended = attempt.get("ended")
        took = f"{(float(ended) - float(attempt['started'])) * 1000:8.1f} ms" if ended is not None else "        -"
        detail = attempt.get("error") or attempt.get("reason") or ""
        by = f"  pid {attempt['processor']}" if "processor" in attempt else ""
        lines.append(f"    attempt {number}  {iso_timestamp(float(attempt['started']))}  version "
                     f"{attempt.get('version', '?')}{by}  {took}  {attempt.get('outcome', 'running')}  "
                     f"{detail}".rstrip())
    return lines


async def events(args: argparse.Namespace) -> int:
    project, state_dir = open_project(args)
    name = stored_function_name(project, args.function)
    database = state_dir / "state.db"
    if not database.exists():
        print(f"no asynchronous events yet: {state_dir.parent} has not run anything", file=sys.stderr)
        return 0
    with open_readonly(database) as connection:
        try:
            found = query_events(connection, name, open_only=args.open, limit=args.limit, newest=True)
        except sqlite3.OperationalError:  # a store from before the asynchronous queue existed
            found = []
    if not found and not args.json:
        print(f"no asynchronous events of {name}", file=sys.stderr)
    for event in found:
        if args.json:
            print(json.dumps(as_document(event)))
        else:
            print("\n".join(describe(event)))
    return 0
