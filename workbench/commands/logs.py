"""`workbench logs`: a function's log events from the project's store, optionally followed live."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys

from workbench.commands.common import add_project_options, open_project, run_async, stored_function_name
from workbench.engine import StoredLog, iso_timestamp, open_readonly, query_logs


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("logs", help="show a function's logs", description="Print the log events of "
                                   "FUNCTION stored in the project's .workbench/ (all functions when omitted).")
    parser.add_argument("function", nargs="?")
    add_project_options(parser)
    parser.add_argument("-f", "--follow", action="store_true", help="keep printing new events as they arrive")
    parser.add_argument("--request-id", help="only this invocation's lines")
    parser.add_argument("--filter", dest="text", help="only lines containing this text")
    parser.add_argument("--tail", type=int, default=0, help="start with only the last N events")
    parser.set_defaults(handler=lambda args: run_async(logs(args)))


def format_event(event: StoredLog, with_function: bool) -> str:
    prefix = f"{iso_timestamp(event.timestamp)} "
    if with_function:
        prefix += f"{event.function} "
    return prefix + event.message.replace("\r", "\n")


async def logs(args: argparse.Namespace) -> int:
    project, state_dir = open_project(args)
    name = stored_function_name(project, args.function) if args.function else None
    database = state_dir / "state.db"
    if not database.exists():
        if not args.follow:
            print(f"no logs yet: {state_dir.parent} has not run anything", file=sys.stderr)
            return 0
        while not database.exists():  # noqa: ASYNC110 - another process creates it; nothing to wait on here
            await asyncio.sleep(0.5)
    with open_readonly(database) as connection:
        last = 0
        while True:
            try:
                events = query_logs(connection, function=name, request_id=args.request_id, text=args.text,
                                    limit=args.tail or 1_000_000, newest=bool(args.tail))
                break
            except sqlite3.OperationalError:
                # The engine that just created the file is still creating its tables (its first migration).
                if not args.follow:
                    raise
                await asyncio.sleep(0.25)
        while True:
            for event in events:
                print(format_event(event, name is None), flush=False)
                last = event.id
            sys.stdout.flush()
            if not args.follow:
                return 0
            await asyncio.sleep(0.25)
            events = query_logs(connection, function=name, request_id=args.request_id, text=args.text,
                                after_id=last, limit=10_000)
