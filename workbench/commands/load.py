"""`workbench load`: drive a function with concurrent or paced requests and report what happened."""

from __future__ import annotations

import argparse
import json
import sys

from workbench.commands.common import (
    CommandError,
    add_async_options,
    add_backend_option,
    add_project_options,
    add_services_option,
    engine_settings,
    project_from,
    run_async,
)
from workbench.commands.invoke import read_event
from workbench.commands.serve import warn_if_served
from workbench.engine import Engine, LoadProgress, run_load
from workbench.model.arn import parse_function_ref


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "load", help="generate load against a function",
        description="Send load to FUNCTION[:QUALIFIER] from this process: either --requests N with --concurrency C "
                    "clients, or --rate R requests per second for --duration S seconds. Progress goes to stderr; "
                    "the last line on stdout is one JSON object with the results.")
    parser.add_argument("function", help="FUNCTION or FUNCTION:QUALIFIER")
    add_project_options(parser)
    parser.add_argument("--requests", type=int, help="how many requests (closed loop)")
    parser.add_argument("--concurrency", type=int, help="how many clients send them (closed loop)")
    parser.add_argument("--rate", type=float, help="requests per second (open loop)")
    parser.add_argument("--duration", type=float, help="seconds to keep the rate up (open loop)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("-e", "--event", help="a file holding the event JSON ('-' for stdin)")
    source.add_argument("--event-json", help="the event JSON itself")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    add_backend_option(parser)
    add_async_options(parser)
    add_services_option(parser)
    parser.set_defaults(handler=lambda args: run_async(load(args)))


def _progress(update: LoadProgress) -> None:
    total = f"/{update.total}" if update.total else ""
    sys.stderr.write(f"\r{update.elapsed_s:6.1f}s  {update.done}{total} done  ok {update.succeeded}  "
                     f"failed {update.failed}  throttled {update.throttled}   ")
    sys.stderr.flush()


async def load(args: argparse.Namespace) -> int:
    closed = args.requests is not None or args.concurrency is not None
    opened = args.rate is not None or args.duration is not None
    if closed == opened or (closed and None in (args.requests, args.concurrency)) or \
            (opened and None in (args.rate, args.duration)):
        raise CommandError("give --requests N --concurrency C, or --rate R --duration S")
    try:
        ref = parse_function_ref(args.function)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    payload = read_event(args)
    project = project_from(args)
    warn_if_served(project.state_dir)
    async with Engine(project, backend=args.backend, settings=engine_settings(args)) as engine:
        try:
            report = await run_load(engine, ref.name, qualifier=ref.qualifier, payload=payload,
                                    requests=args.requests, concurrency=args.concurrency, rate=args.rate,
                                    duration_s=args.duration, on_progress=None if args.quiet else _progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    if not args.quiet:
        sys.stderr.write("\n")
    print(json.dumps(report.as_dict()))
    return 0
