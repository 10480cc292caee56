"""`workbench publish-version` and `workbench alias`: versions and aliases of a project's functions."""

from __future__ import annotations

import argparse
from typing import Any

from workbench.commands.common import CommandError, add_project_options, run_async
from workbench.commands.control import control_plane, print_json
from workbench.pipeline.lambda_api import function_path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    publish = subparsers.add_parser("publish-version", help="publish a version of a function",
                                    description="Publish $LATEST of FUNCTION as the next version (or return the "
                                    "newest version when nothing changed since). Prints its configuration (JSON).")
    publish.add_argument("function")
    publish.add_argument("--description")
    add_project_options(publish)
    publish.set_defaults(handler=lambda args: run_async(publish_version(args)))

    alias = subparsers.add_parser("alias", help="create, update, list or delete aliases",
                                  description="Manage the aliases of a function. Each prints the API's JSON answer.")
    actions = alias.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action in ("create", "update"):
        parser = actions.add_parser(action, help=f"{action} an alias")
        parser.add_argument("function")
        parser.add_argument("alias")
        parser.add_argument("--version", required=action == "create", help="the version it points to ($LATEST or N)")
        parser.add_argument("--description")
        parser.add_argument("--routing", metavar="VERSION=WEIGHT",
                            help="send WEIGHT (0.0-1.0) of the requests to another VERSION; '' to stop")
        add_project_options(parser)
    listing = actions.add_parser("list", help="list a function's aliases")
    listing.add_argument("function")
    listing.add_argument("--version", help="only the aliases pointing to this version")
    add_project_options(listing)
    delete = actions.add_parser("delete", help="delete an alias")
    delete.add_argument("function")
    delete.add_argument("alias")
    add_project_options(delete)
    alias.set_defaults(handler=lambda args: run_async(alias_command(args)))


async def publish_version(args: argparse.Namespace) -> int:
    async with control_plane(args) as api:
        document = {"Description": args.description} if args.description is not None else {}
        print_json(await api.call("POST", function_path(args.function, "/versions"), document))
    return 0


def _routing(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    if text == "":
        return {"AdditionalVersionWeights": {}}
    version, sep, weight = text.partition("=")
    try:
        return {"AdditionalVersionWeights": {version: float(weight)}} if sep else None
    except ValueError:
        pass
    raise CommandError(f"--routing takes VERSION=WEIGHT, e.g. 2=0.1 (got {text!r})")


async def alias_command(args: argparse.Namespace) -> int:
    async with control_plane(args) as api:
        aliases = function_path(args.function, "/aliases")
        if args.action == "list":
            query = {"FunctionVersion": args.version} if args.version else None
            print_json(await api.call("GET", aliases, query=query))
            return 0
        if args.action == "delete":
            await api.call("DELETE", f"{aliases}/{args.alias}")
            print(f"deleted alias {args.alias} of {args.function}")
            return 0
        document: dict[str, Any] = {}
        for option, member in (("version", "FunctionVersion"), ("description", "Description")):
            if getattr(args, option) is not None:
                document[member] = getattr(args, option)
        routing = _routing(args.routing)
        if args.routing is not None and routing is None:
            raise CommandError(f"--routing takes VERSION=WEIGHT, e.g. 2=0.1 (got {args.routing!r})")
        if routing is not None:
            document["RoutingConfig"] = routing
        if args.action == "create":
            print_json(await api.call("POST", aliases, {"Name": args.alias, **document}))
        else:
            print_json(await api.call("PUT", f"{aliases}/{args.alias}", document))
    return 0
