"""`workbench traces`: recent invocations of a function as Initialization / Invocation / Overhead."""

from __future__ import annotations

import argparse
import json
import sys

from workbench.commands.common import add_project_options, open_project, run_async, stored_function_name
from workbench.engine import iso_timestamp, open_readonly, query_traces, to_xray_documents


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("traces", help="show a function's recent traces")
    parser.add_argument("function")
    add_project_options(parser)
    parser.add_argument("--json", action="store_true", help="print X-Ray segment documents, one JSON per line")
    parser.add_argument("--limit", type=int, default=20)
    parser.set_defaults(handler=lambda args: run_async(traces(args)))


async def traces(args: argparse.Namespace) -> int:
    project, state_dir = open_project(args)
    name = stored_function_name(project, args.function)
    database = state_dir / "state.db"
    if not database.exists():
        print("no traces yet", file=sys.stderr)
        return 0
    with open_readonly(database) as connection:
        records = query_traces(connection, function=name, limit=args.limit)
    for trace in records:
        if args.json:
            for document in to_xray_documents(trace):
                print(json.dumps(document))
            continue
        init = f"{trace.initialization.duration_ms:9.2f}" if trace.initialization else "        -"
        overhead = f"{trace.overhead.duration_ms:8.2f}" if trace.overhead else "       -"
        kind = "cold" if trace.cold_start else "warm"
        print(f"{iso_timestamp(trace.start)}  {trace.request_id}  {kind}  init {init} ms  "
              f"invoke {trace.invocation.duration_ms:8.2f} ms  overhead {overhead} ms  {trace.status}")
    return 0
