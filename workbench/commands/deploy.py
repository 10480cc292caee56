"""`workbench deploy` and `workbench package`: deployment packages in and out of a project."""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
from pathlib import Path
from typing import Any

from workbench.commands.common import CommandError, add_project_options, run_async
from workbench.commands.control import ApiError, ControlPlane, control_plane, print_json
from workbench.pipeline.lambda_api import function_path

DEFAULT_ROLE = "arn:aws:iam::123456789012:role/lambda-role"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    deploy_parser = subparsers.add_parser(
        "deploy", help="create a function from a deployment package (ZIP)",
        description="Create function NAME from the ZIP, as CreateFunction does, in the project's state: it is "
                    "there at every later start. With --update, an existing function gets the new code and the "
                    "options given. Prints the function's configuration (JSON).")
    deploy_parser.add_argument("zip", type=Path, help="the deployment package")
    deploy_parser.add_argument("--name", required=True, help="the function name")
    deploy_parser.add_argument("--runtime", help="e.g. python3.12, nodejs20.x, provided.al2023 (required to create)")
    deploy_parser.add_argument("--handler", dest="function_handler",
                               help="e.g. app.handler (required to create, except for provided runtimes)")
    deploy_parser.add_argument("--memory-size", type=int, help="MB (128-10240)")
    deploy_parser.add_argument("--timeout", type=int, help="seconds (1-900)")
    deploy_parser.add_argument("--description")
    deploy_parser.add_argument("--role", help=f"the execution role ARN (default: {DEFAULT_ROLE})")
    deploy_parser.add_argument("--env", nargs="*", metavar="KEY=VALUE", help="environment variables")
    deploy_parser.add_argument("--layer", action="append", metavar="ARN", help="a layer version ARN (repeatable)")
    deploy_parser.add_argument("--architecture", choices=["x86_64", "arm64"])
    deploy_parser.add_argument("--publish", action="store_true", help="also publish a version")
    deploy_parser.add_argument("--update", action="store_true", help="update the function if it exists")
    add_project_options(deploy_parser)
    deploy_parser.set_defaults(handler=lambda args: run_async(deploy(args)))

    package_parser = subparsers.add_parser(
        "package", help="export a function's deployment package (ZIP)",
        description="Write the deployment package of FUNCTION (of a version or alias with --qualifier) to a ZIP "
                    "file: exactly the bytes whose SHA-256 is the function's CodeSha256.")
    package_parser.add_argument("function")
    package_parser.add_argument("--qualifier", help="a version or alias (default: $LATEST)")
    package_parser.add_argument("-o", "--output", type=Path, required=True, help="the ZIP file to write")
    add_project_options(package_parser)
    package_parser.set_defaults(handler=lambda args: run_async(package(args)))


def _configuration(args: argparse.Namespace) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for option, member in (("runtime", "Runtime"), ("function_handler", "Handler"), ("memory_size", "MemorySize"),
                           ("timeout", "Timeout"), ("description", "Description"), ("role", "Role"),
                           ("layer", "Layers")):
        if getattr(args, option) is not None:
            document[member] = getattr(args, option)
    if args.env is not None:
        variables = {}
        for item in args.env:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--env takes KEY=VALUE pairs (got {item!r})")
            variables[key] = value
        document["Environment"] = {"Variables": variables}
    return document


async def deploy(args: argparse.Namespace) -> int:
    try:
        package_bytes = await asyncio.to_thread(Path(args.zip).read_bytes)
    except OSError as exc:
        raise CommandError(f"cannot read {args.zip}: {exc.strerror}") from None
    zip_file = base64.b64encode(package_bytes).decode()
    configuration = _configuration(args)
    placement = {"Architectures": [args.architecture]} if args.architecture else {}
    async with control_plane(args, create=True) as api:
        if not (args.update and await _exists(api, args.name)):
            try:
                created = await api.call("POST", "/2015-03-31/functions", {
                    "FunctionName": args.name, "Code": {"ZipFile": zip_file}, "Publish": args.publish,
                    "Role": DEFAULT_ROLE, **configuration, **placement})
            except ApiError as error:
                if error.code == "ResourceConflictException":
                    raise CommandError(f"{error}; use --update to give it this package") from None
                raise
            print_json(created)
            return 0
        if configuration:
            await api.call("PUT", function_path(args.name, "/configuration"), configuration)
        updated = await api.call("PUT", function_path(args.name, "/code"),
                                 {"ZipFile": zip_file, "Publish": args.publish, **placement})
        print_json(updated)
    return 0


async def _exists(api: ControlPlane, name: str) -> bool:
    try:
        await api.call("GET", function_path(name, "/configuration"))
    except ApiError as error:
        if error.code == "ResourceNotFoundException":
            return False
        raise
    return True


async def package(args: argparse.Namespace) -> int:
    async with control_plane(args) as api:
        query = {"Qualifier": args.qualifier} if args.qualifier else None
        function = await api.call("GET", function_path(args.function), query=query)
        data = await api.download(function["Code"]["Location"])
    output: Path = args.output
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        temporary.replace(output)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise CommandError(f"cannot write {output}: {exc.strerror}") from None
    configuration = function["Configuration"]
    print(f"{output}: {configuration['FunctionArn']} (version {configuration['Version']}), {len(data)} bytes, "
          f"CodeSha256 {configuration['CodeSha256']}")
    return 0
