"""`workbench serve`: the Lambda API for boto3, the AWS CLI and SDKs, on 127.0.0.1."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import json
import os
import sys
from pathlib import Path

from workbench.api.app import ApiServer
from workbench.api.guard import CREDENTIALS_ENV, CredentialsError, configured_credentials, parse_credentials
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
from workbench.engine import Engine
from workbench.oslimits import STOP_SIGNALS
from workbench.pipeline.worker import PipelineWorker

RULE = """\
Template and API: the functions of the template are there from the start. Functions, versions, aliases,
layer versions and concurrency settings created through the API are kept in the project's .workbench/ and
are there again at the next start. The template is the source of truth for what it declares: its functions'
code and configuration, their reserved and provisioned concurrency, AutoPublishAlias and its layers are
applied again at every start, and a function the template declares wins over an API-created function of the
same name. So API changes to a template function's code and configuration last until the server stops,
while versions published from it, its aliases and concurrency settings the template does not make are kept."""

#: How long a stopping server waits for invocations in flight before cutting them short.
SHUTDOWN_GRACE_S = 10.0
#: Written beside the project's state while a server owns it: {"pid": ..., "url": ...}.
MARKER_NAME = "serve.json"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the Lambda API on 127.0.0.1 (for boto3, the AWS CLI, SDKs)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Serve the Lambda REST API on 127.0.0.1 until interrupted (Ctrl+C). Point any Lambda client\n"
                    "at it. Requests must be signed (SigV4) as SDKs sign them; any credentials are accepted unless\n"
                    "--credentials (or WORKBENCH_API_CREDENTIALS) names the ones whose signatures are verified.\n"
                    "Web pages (other origins, other Host names) are refused:\n"
                    "  boto3.client('lambda', endpoint_url='http://127.0.0.1:PORT', region_name='us-east-1')\n"
                    "  aws lambda --endpoint-url http://127.0.0.1:PORT list-functions\n\n" + RULE)
    add_project_options(parser)
    parser.add_argument("--port", type=int, default=0, help="the port (default: a free one, printed at start)")
    parser.add_argument("--credentials", metavar="KEY:SECRET[,...]",
                        help=f"verify request signatures with these credentials (default: ${CREDENTIALS_ENV}; "
                             "the command line is visible to other local users, the environment is not)")
    add_backend_option(parser)
    add_async_options(parser)
    add_services_option(parser)
    parser.set_defaults(handler=lambda args: run_async(serve(args)))


def served_url(state_dir: Path) -> str | None:
    """The URL of the `workbench serve` that owns this state, if one is running."""
    try:
        marker = json.loads((state_dir / MARKER_NAME).read_text())
        pid, url = int(marker["pid"]), str(marker["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return url


def warn_if_served(state_dir: Path) -> None:
    """Commands that run their own engine say so when a server already owns the project: its warm
    environments are not theirs, and both write the same state."""
    url = served_url(state_dir)
    if url is not None:
        print(f"workbench: note: `workbench serve` is running on this project at {url}; this command runs its own "
              "engine beside it (invoke through the API to use the server's environments)", file=sys.stderr)


async def serve(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port must be between 0 and 65535 (got {args.port})")
    try:
        credentials = parse_credentials(args.credentials) if args.credentials else configured_credentials()
    except CredentialsError as exc:
        raise CommandError(f"--credentials / {CREDENTIALS_ENV}: {exc}") from None
    project, state_dir = open_project(args, create=True)
    other = served_url(state_dir)
    if other is not None:
        raise CommandError(f"this project is already served at {other}")
    if project is None:
        print(f"workbench: no template in {state_dir.parent}: serving the functions created through the API "
              f"(kept in {state_dir})", file=sys.stderr)
    async with Engine(project, backend=args.backend, state_dir=state_dir, settings=engine_settings(args)) as engine:
        server = ApiServer(engine, args.port, credentials, grace_s=SHUTDOWN_GRACE_S)
        try:
            await server.start()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(f"port {args.port} is in use") from None
            raise
        marker = state_dir / MARKER_NAME
        marker.write_text(json.dumps({"pid": os.getpid(), "url": server.url}))
        # Pushes to the project's origin (application templates) are built and deployed here, through the API.
        worker = PipelineWorker(state_dir, server.url, credentials=credentials, subscribe=engine.subscribe,
                                publish=engine.bus.publish, resource_attributes=lambda: engine.resource_attributes)
        pipeline = asyncio.create_task(worker.run(), name="pipeline-worker")
        try:
            names = ", ".join(config.name for config in engine.functions()) or "none yet"
            checked = "signatures verified" if credentials else "any SigV4 signature accepted"
            print(f"workbench: Lambda API at {server.url} (functions: {names}; {checked}); Ctrl+C stops it",
                  flush=True)
            await _until_stopped(pipeline)
        finally:
            pipeline.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pipeline
            with contextlib.suppress(OSError):
                marker.unlink()
            await _stop_serving(engine, server)
    return 0


async def _stop_serving(engine: Engine, server: ApiServer) -> None:
    """Stop answering, giving invocations in flight up to SHUTDOWN_GRACE_S to finish, and saying so; a second
    Ctrl+C (or SIGTERM) stops at once: what is still running is cut short, and the engine still stops every
    environment on the way out (the `async with Engine` around this)."""
    again = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, again.set)
    in_flight = sum(function.concurrent_executions for function in engine.statistics().functions)
    if in_flight:
        print(f"workbench: stopping: waiting for {in_flight} invocation{'s' if in_flight > 1 else ''} in flight to "
              f"finish (at most {SHUTDOWN_GRACE_S:g} s; Ctrl+C again stops at once)", file=sys.stderr, flush=True)
    closing = asyncio.ensure_future(server.close())
    interrupted = asyncio.ensure_future(again.wait())
    try:
        await asyncio.wait({closing, interrupted}, return_when=asyncio.FIRST_COMPLETED)
        if not closing.done():
            print("workbench: stopping now: invocations in flight are cut short", file=sys.stderr, flush=True)
            closing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await closing
    finally:
        interrupted.cancel()
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)


async def _until_stopped(pipeline: asyncio.Task[None]) -> None:
    """Until Ctrl+C or SIGTERM; the pipeline worker ending on its own is a bug, raised here, not lost."""
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stopped.set)
    try:
        waiter = asyncio.ensure_future(stopped.wait())
        await asyncio.wait({waiter, pipeline}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if pipeline.done():
            pipeline.result()
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
