"""Options and helpers shared by subcommands."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from workbench.backends.base import BackendError
from workbench.engine import EngineSettings, LambdaError, checked_aws_endpoint
from workbench.model.project import STATE_DIR_NAME, TEMPLATE_NAMES, Project, load_project
from workbench.model.template import TemplateError
from workbench.resources import sample_project_dir
from workbench.services import ServicesError


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 2 (1 is for function errors)."""


def add_project_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-t", "--template", type=Path, help="the SAM template (default: ./template.yaml)")
    group.add_argument("--project", type=Path, help="the project folder holding template.yaml")
    group.add_argument("--sample", action="store_true", help="use the bundled sample project")
    parser.add_argument("--parameter-overrides", nargs="*", default=[], metavar="KEY=VALUE",
                        help="values for the template's Parameters")


def add_backend_option(parser: argparse.ArgumentParser) -> None:
    default = os.environ.get("WORKBENCH_BACKEND", "process")
    parser.add_argument("--backend", default=default, choices=["process", "docker"],
                        help=f"where execution environments run (default: {default}; set WORKBENCH_BACKEND "
                        "to change it)")


def add_services_option(parser: argparse.ArgumentParser) -> None:
    default = os.environ.get("WORKBENCH_AWS_ENDPOINT") or None
    parser.add_argument("--aws-endpoint", metavar="URL", default=default,
                        help="use this AWS endpoint (LocalStack, ElasticMQ, ...) for queues, topics, streams, tables, "
                        "buses and buckets instead of starting the local services (moto); also "
                        "WORKBENCH_AWS_ENDPOINT")


def engine_settings(args: argparse.Namespace) -> EngineSettings:
    """The engine settings the command line chose (for now: the external AWS endpoint)."""
    endpoint = getattr(args, "aws_endpoint", None)
    if endpoint is None:
        return EngineSettings()
    try:
        return EngineSettings(aws_endpoint=checked_aws_endpoint(endpoint))
    except ValueError:
        raise CommandError(f"--aws-endpoint must be an http(s)://host[:port] URL (got {endpoint!r})") from None


def project_from(args: argparse.Namespace) -> Project:
    overrides = {}
    for item in args.parameter_overrides or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise CommandError(f"--parameter-overrides takes KEY=VALUE pairs (got {item!r})")
        overrides[key] = value
    template, project_dir = args.template, args.project
    if getattr(args, "sample", False):
        template, project_dir = None, sample_project_dir()
    try:
        return load_project(template, project_dir, overrides)
    except TemplateError as exc:
        raise CommandError(str(exc)) from None


def open_project(args: argparse.Namespace, *, create: bool = False) -> tuple[Project | None, Path]:
    """The project a command works on, and its state folder (`.workbench/`).

    A folder with a template is loaded as `project_from` does. A folder without one is a project of functions
    created through the API only: accepted when its `.workbench/` exists, or made when ``create`` (serve,
    deploy); otherwise the missing template is the error.
    """
    if args.template is None and not getattr(args, "sample", False):
        folder = (args.project or Path.cwd()).resolve()
        state_dir = folder / STATE_DIR_NAME
        has_template = any((folder / name).is_file() for name in TEMPLATE_NAMES)
        if folder.is_dir() and not has_template and (create or (state_dir / "state.db").is_file()):
            return None, state_dir
    project = project_from(args)
    return project, project.state_dir


def stored_function_name(project: Project | None, name: str) -> str:
    """A function's name as logs and traces are stored under: the FunctionName of a function the template
    declares (by name or logical id), else the name as given (a function created through the API)."""
    if project is not None:
        try:
            return project.find_function(name).name
        except KeyError:
            pass
    return name


def run_async(coroutine: Coroutine[Any, Any, int]) -> int:
    """Run a command's coroutine; user errors become one line on stderr instead of a traceback."""
    logging.basicConfig(level=logging.WARNING, format="workbench: %(levelname)s: %(message)s")
    try:
        return asyncio.run(coroutine)
    except KeyboardInterrupt:
        return 130
    except (CommandError, LambdaError, BackendError, ServicesError, TemplateError) as exc:
        code = f"{exc.code}: " if isinstance(exc, LambdaError) else ""
        print(f"workbench: error: {code}{exc}", file=sys.stderr)
        return 2
