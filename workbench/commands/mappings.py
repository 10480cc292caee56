"""`workbench mappings`: the event source mappings of a project, with their state and last result.

From the `workbench serve` running on the project when there is one (ListEventSourceMappings through its Lambda
API, so the live state shows); otherwise from the project's store, without starting any poller.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

from workbench.commands.common import add_project_options, open_project, run_async
from workbench.commands.serve import served_url
from workbench.engine import MappingConfig, open_readonly


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "mappings", help="list the event source mappings (SQS, Kinesis, DynamoDB) and their state",
        description="List the project's event source mappings: function, source, batch size, state and last "
                    "processing result. Asks the `workbench serve` running on the project if there is one; "
                    "otherwise reads the project's store.")
    add_project_options(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON list instead of a table")
    parser.set_defaults(handler=lambda args: run_async(mappings(args)))


def _from_server(url: str) -> list[dict[str, Any]]:
    import boto3

    client = boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="workbench",
                          aws_secret_access_key="workbench")
    found: list[dict[str, Any]] = []
    for page in client.get_paginator("list_event_source_mappings").paginate():
        found.extend(page["EventSourceMappings"])
    return [{"UUID": m["UUID"], "FunctionArn": m["FunctionArn"], "EventSourceArn": m["EventSourceArn"],
             "BatchSize": m["BatchSize"], "State": m["State"], "LastProcessingResult": m["LastProcessingResult"]}
            for m in found]


def _from_store(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with open_readonly(path) as connection:
        try:
            rows = connection.execute("SELECT config FROM event_source_mappings ORDER BY uuid").fetchall()
        except sqlite3.OperationalError:  # a store from before mappings existed
            rows = []
    shown = []
    for row in rows:
        config = MappingConfig.from_json(json.loads(row[0]))
        shown.append({"UUID": config.uuid, "FunctionArn": config.function + (f":{config.qualifier}"
                                                                            if config.qualifier else ""),
                      "EventSourceArn": config.source_arn, "BatchSize": config.batch_size,
                      "State": "Enabled" if config.enabled else "Disabled",
                      "LastProcessingResult": "(not running)"})
    return shown


async def mappings(args: argparse.Namespace) -> int:
    _, state_dir = open_project(args)
    url = served_url(state_dir)
    if url is not None:
        found = await asyncio.to_thread(_from_server, url)
    else:
        found = await asyncio.to_thread(_from_store, state_dir / "state.db")
    if args.json:
        print(json.dumps(found, indent=2))
    elif not found:
        print("no event source mappings")
    else:
        for m in found:
            function = m["FunctionArn"].split("function:")[-1]
            print(f"{m['UUID']}  {m['State']:<9}  {function:<20}  batch {m['BatchSize']:<5}  {m['EventSourceArn']}  "
                  f"{m['LastProcessingResult']}")
    return 0
