"""`workbench resources`: the queues, topics, streams, tables, event buses and buckets of the local services.

From the `workbench serve` running on the project when there is one (its services hold the live data);
otherwise from an engine started for the length of the command, which creates the template's resources
afresh (moto keeps data in memory only).
"""

from __future__ import annotations

import argparse
import asyncio
import json

from workbench.commands.common import add_project_options, add_services_option, engine_settings, open_project, run_async
from workbench.commands.serve import served_url
from workbench.engine import Engine
from workbench.services.inventory import ResourceInfo, inventory


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "resources", help="list the local AWS resources (queues, topics, streams, tables, buses, buckets)",
        description="List the resources of the local AWS services with their ARNs or URLs and approximate sizes "
                    "(queue depths, shards, item and object counts). Asks the `workbench serve` running on the "
                    "project if there is one; otherwise creates the template's resources for the command.")
    add_project_options(parser)
    add_services_option(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON list instead of a table")
    parser.set_defaults(handler=lambda args: run_async(resources(args)))


async def resources(args: argparse.Namespace) -> int:
    project, state_dir = open_project(args)
    settings = engine_settings(args)
    url = settings.aws_endpoint or served_url(state_dir)
    if url is not None:
        found = await asyncio.to_thread(inventory, url, settings.region)
    else:
        async with Engine(project, state_dir=state_dir, settings=settings) as engine:
            if engine.resource_attributes:
                found = await asyncio.to_thread(inventory, engine.services.endpoint_url, settings.region)
            else:
                found = []
    _print(found, args.json)
    return 0


def _print(found: list[ResourceInfo], as_json: bool) -> None:
    if as_json:
        print(json.dumps([resource.to_json() for resource in found], indent=2))
        return
    if not found:
        print("no resources (the template declares no queues, topics, streams, tables, buses or buckets)")
        return
    rows = [(r.kind, r.name, r.size, r.url or r.arn) for r in found]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for kind, name, size, where in rows:
        print(f"{kind:<{widths[0]}}  {name:<{widths[1]}}  {size:<{widths[2]}}  {where}")
