"""`workbench init`: list the application templates, or make a project from one (a git repository with a
bare `origin` whose pushes run the pipeline)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.catalog.apptemplates import find_app_template, init_app, list_app_templates
from workbench.catalog.errors import CatalogError
from workbench.commands.common import print_listing


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "init", help="make a project from an application template",
        description="Make DIR a project from an application template: functions, template.yaml, unit tests, "
                    "buildspec.yml and pipeline.yaml in a new git repository, with a bare repository DIR.git "
                    "beside it as origin. Every push to origin runs the pipeline (Source, Build, Deploy) in the "
                    "`workbench serve` of the project. --list shows the templates.")
    parser.add_argument("directory", nargs="?", type=Path, help="the new project's folder (absent or empty)")
    parser.add_argument("--app-template", metavar="NAME", help="the application template (see --list)")
    parser.add_argument("--list", action="store_true", help="list the application templates")
    parser.add_argument("--json", action="store_true", help="with --list: print JSON")
    parser.set_defaults(handler=init_command)


def init_command(args: argparse.Namespace) -> int:
    try:
        if args.list:
            print_listing(list_app_templates(), args.json)
            return 0
        if not args.app_template or args.directory is None:
            raise CatalogError("give --app-template NAME and a DIR (the templates: workbench init --list)")
        done = init_app(find_app_template(args.app_template), args.directory)
    except CatalogError as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return 2
    print(f"made {done.project} from {args.app_template} (commit {done.commit[:12]})")
    print(f"  origin: {done.origin} (every push runs the pipeline)")
    print(f"  next:   workbench serve --project {done.project}   # deploys, and runs the pipeline on every push")
    return 0
