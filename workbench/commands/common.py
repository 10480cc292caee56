"""Options and helpers shared by subcommands."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, Protocol

from workbench.backends.base import BackendError
from workbench.classroom import ClassroomSettings
from workbench.engine import EngineSettings, LambdaError, checked_aws_endpoint
from workbench.model.project import STATE_DIR_NAME, TEMPLATE_NAMES, Project, load_project
from workbench.model.template import TemplateError
from workbench.resources import sample_project_dir
from workbench.services import ServicesError


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 2 (1 is for function errors)."""


class Listed(Protocol):
    """An entry of a catalogue a command lists: a blueprint, an application template."""

    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    def summary(self) -> dict[str, Any]: ...


def print_listing(entries: Sequence[Listed], as_json: bool) -> None:
    """A catalogue's `--list`: the entries' summaries as JSON, or a `name  title` line each, names aligned."""
    if as_json:
        print(json.dumps([entry.summary() for entry in entries], indent=2))
        return
    width = max((len(entry.name) for entry in entries), default=0)
    for entry in entries:
        print(f"{entry.name:<{width}}  {entry.title}")


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


def add_async_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--async-delay-scale", type=float, default=1.0, metavar="F",
                        help="multiply every delay of asynchronous invocation (retries after 1 and 2 minutes, "
                        "throttle backoff, maximum event age) by F; 0.01 makes the retries 0.6 and 1.2 s "
                        "(default 1: AWS's timing)")


def add_services_option(parser: argparse.ArgumentParser) -> None:
    default = os.environ.get("WORKBENCH_AWS_ENDPOINT") or None
    parser.add_argument("--aws-endpoint", metavar="URL", default=default,
                        help="use this AWS endpoint (LocalStack, ElasticMQ, ...) for queues, topics, streams, tables, "
                        "buses and buckets instead of starting the local services (moto); also "
                        "WORKBENCH_AWS_ENDPOINT")


def add_classroom_options(parser: argparse.ArgumentParser) -> None:
    """The classroom knobs (the GUI's Engine settings panel has the same): slow scaling and reaping down."""
    defaults = EngineSettings()
    group = parser.add_argument_group("classroom settings")
    group.add_argument("--scaling-rate", type=int, metavar="N", default=defaults.scaling_environments,
                       help=f"new environments per function per {defaults.scaling_window_s:g} s "
                       f"(default: {defaults.scaling_environments}, AWS's rate)")
    group.add_argument("--idle-timeout", type=float, metavar="SECONDS", default=defaults.idle_timeout_s,
                       help=f"stop environments idle this long (default: {defaults.idle_timeout_s:g})")
    group.add_argument("--max-lifetime", type=float, metavar="SECONDS", default=defaults.max_lifetime_s,
                       help=f"recycle environments after this lifetime (default: {defaults.max_lifetime_s:g})")
    group.add_argument("--account-limit", type=int, metavar="N", default=defaults.account_concurrency,
                       help=f"the account's concurrency limit (default: {defaults.account_concurrency})")
    group.add_argument("--max-parallel-inits", type=int, metavar="N", default=defaults.max_parallel_inits,
                       help="environments initialising at once, 0 for no bound "
                       f"(default here: {defaults.max_parallel_inits})")
    group.add_argument("--slow-motion", type=float, metavar="FACTOR", default=1.0,
                       help="make scaling and reaping FACTOR times slower, so a class can watch them (default: 1)")


def engine_settings(args: argparse.Namespace) -> EngineSettings:
    """The engine settings the command line chose: the external AWS endpoint, the asynchronous delay scale and
    the classroom settings."""
    scale = getattr(args, "async_delay_scale", 1.0)
    if not 0 < scale <= 100:
        raise CommandError(f"--async-delay-scale must be above 0 and at most 100 (got {scale})")
    settings = EngineSettings(async_delay_scale=scale)
    endpoint = getattr(args, "aws_endpoint", None)
    if endpoint is not None:
        try:
            settings = dataclasses.replace(settings, aws_endpoint=checked_aws_endpoint(endpoint))
        except ValueError:
            raise CommandError(f"--aws-endpoint must be an http(s)://host[:port] URL (got {endpoint!r})") from None
    if getattr(args, "slow_motion", None) is None:
        return settings
    classroom = ClassroomSettings(args.scaling_rate, args.idle_timeout, args.max_lifetime, args.account_limit,
                                  args.max_parallel_inits, args.slow_motion)
    try:
        return classroom.apply(settings)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


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
