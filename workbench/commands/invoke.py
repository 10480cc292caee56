"""`workbench invoke`: run a function N times in one engine, like `sam local invoke` but warm after the first."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.commands.common import (
    CommandError,
    add_async_options,
    add_backend_option,
    add_project_options,
    add_services_option,
    engine_settings,
    open_project,
    run_async,
)
from workbench.commands.serve import warn_if_served
from workbench.engine import Engine, EngineEvent, LogLine


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("invoke", help="invoke a function and print its response",
                                   description="Invoke FUNCTION (name, logical id, or NAME:QUALIFIER). Responses go "
                                   "to stdout, one line each; logs go to stderr.")
    parser.add_argument("function")
    add_project_options(parser)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("-e", "--event", type=Path, help="a file holding the event JSON ('-' for stdin)")
    source.add_argument("--event-json", help="the event JSON itself")
    parser.add_argument("--count", type=int, default=1, help="invoke this many times, sequentially (default 1)")
    parser.add_argument("--qualifier", help="a version or alias")
    parser.add_argument("--client-context", help="base64 JSON client context, as X-Amz-Client-Context")
    add_backend_option(parser)
    add_async_options(parser)
    add_services_option(parser)
    parser.set_defaults(handler=lambda args: run_async(invoke(args)))


def read_event(args: argparse.Namespace) -> bytes:
    if args.event_json is not None:
        return str(args.event_json).encode()
    if getattr(args, "event", None) is not None:
        if str(args.event) == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(args.event).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read event file {args.event}: {exc.strerror}") from None
    if not sys.stdin.isatty():
        data = sys.stdin.buffer.read()
        if data.strip():
            return data
    return b"{}"


def print_log_line(event: EngineEvent) -> None:
    if isinstance(event, LogLine):
        sys.stderr.write(event.message.replace("\r", "\n") + "\n")


async def invoke(args: argparse.Namespace) -> int:
    if args.count < 1:
        raise CommandError("--count must be at least 1")
    payload = read_event(args)
    project, state_dir = open_project(args)
    warn_if_served(state_dir)
    failed = False
    async with Engine(project, backend=args.backend, state_dir=state_dir, settings=engine_settings(args)) as engine:
        engine.subscribe(print_log_line)
        for _ in range(args.count):
            result = await engine.invoke(args.function, payload, qualifier=args.qualifier,
                                         client_context=args.client_context)
            sys.stderr.flush()
            sys.stdout.write(result.payload.decode("utf-8", "replace") + "\n")
            sys.stdout.flush()
            failed = failed or result.function_error is not None
    return 1 if failed else 0
