"""`workbench new`: list the blueprints, or add one to a project (creating the project if needed)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.catalog.blueprints import find_blueprint, list_blueprints
from workbench.catalog.errors import CatalogError
from workbench.catalog.newfunction import add_blueprint
from workbench.commands.common import print_listing


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "new", help="add a function from a blueprint to a project",
        description="Add a blueprint's function, the resources it needs and its sample events to the project's "
                    "template.yaml (comments and formatting kept) and events/<function>/. The project folder is "
                    "made when it does not exist. --list shows the blueprints.")
    parser.add_argument("blueprint", nargs="?", help="the blueprint's name (see --list)")
    parser.add_argument("--name", help="the function's name (default: the blueprint's name)")
    parser.add_argument("--project", type=Path, default=None, help="the project folder (default: the current one)")
    parser.add_argument("--list", action="store_true", help="list the blueprints")
    parser.add_argument("--json", action="store_true", help="with --list: print JSON")
    parser.set_defaults(handler=new_command)


def new_command(args: argparse.Namespace) -> int:
    try:
        if args.list:
            print_listing(list_blueprints(), args.json)
            return 0
        if not args.blueprint:
            raise CatalogError("name a blueprint (workbench new BLUEPRINT), or list them with --list")
        blueprint = find_blueprint(args.blueprint)
        added = add_blueprint(args.project or Path.cwd(), blueprint, args.name)
    except CatalogError as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return 2
    print(f"added function {added.function} ({added.logical_id}) to {added.template}")
    print(f"  code:      {added.code}")
    if added.resources:
        print(f"  resources: {', '.join(added.resources)}")
    for event in added.events:
        print(f"  event:     {event}")
    for note in added.notes:
        print(f"  note:      {note}")
    return 0
