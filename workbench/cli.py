"""The `workbench` command line."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

from workbench import __version__

#: Subcommand modules under workbench.commands, in the order `--help` lists them.
COMMANDS = ("gui", "build", "invoke", "load", "logs", "traces", "events", "serve", "resources", "mappings",
            "deploy", "versions", "layers", "images", "sdk", "new", "init", "pipeline", "lessons")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Lambda Workbench: run, inspect and teach "
                                     "AWS-Lambda-style functions offline.")
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"workbench.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    result: int = args.handler(args)
    return result
