"""`workbench layers`: publish, list and delete layer versions of a project."""

from __future__ import annotations

import argparse
import asyncio
import base64
from pathlib import Path
from urllib.parse import quote

from workbench.commands.common import CommandError, add_project_options, run_async
from workbench.commands.control import control_plane, print_json
from workbench.engine import deterministic_zip
from workbench.model.runtimes import RUNTIMES


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    layers = subparsers.add_parser("layers", help="publish, list or delete layer versions",
                                   description="Manage layers. Each prints the API's JSON answer.")
    actions = layers.add_subparsers(dest="action", metavar="ACTION", required=True)
    publish = actions.add_parser("publish", help="publish a layer version from a ZIP or a folder",
                                 description="The folder's (or ZIP's) files land in /opt: python/ for Python "
                                             "modules, nodejs/node_modules/ for Node.js packages, bin/, lib/.")
    publish.add_argument("name")
    publish.add_argument("content", type=Path, help="a .zip file or a folder")
    publish.add_argument("--description")
    publish.add_argument("--runtime", action="append", choices=sorted(RUNTIMES), metavar="RUNTIME",
                         help="a compatible runtime (repeatable)")
    publish.add_argument("--architecture", action="append", choices=["x86_64", "arm64"],
                         help="a compatible architecture (repeatable)")
    publish.add_argument("--license", help="license information")
    add_project_options(publish)
    listing = actions.add_parser("list", help="list layers, or the versions of one layer")
    listing.add_argument("name", nargs="?")
    add_project_options(listing)
    delete = actions.add_parser("delete", help="delete a layer version")
    delete.add_argument("name")
    delete.add_argument("version", type=int)
    add_project_options(delete)
    layers.set_defaults(handler=lambda args: run_async(layers_command(args)))


def _archive(content: Path) -> bytes:
    """A folder zipped as templates' ContentUri folders are, or a ZIP as it is."""
    if content.is_dir():
        return deterministic_zip(content)
    try:
        return content.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {content}: {exc.strerror}") from None


async def layers_command(args: argparse.Namespace) -> int:
    async with control_plane(args) as api:
        if args.action == "publish":
            archive = await asyncio.to_thread(_archive, args.content)
            document = {"Content": {"ZipFile": base64.b64encode(archive).decode()},
                        "CompatibleRuntimes": args.runtime or [], "CompatibleArchitectures": args.architecture or []}
            if args.description is not None:
                document["Description"] = args.description
            if args.license is not None:
                document["LicenseInfo"] = args.license
            print_json(await api.call("POST", f"/2018-10-31/layers/{quote(args.name, safe='')}/versions", document))
        elif args.action == "list":
            path = f"/2018-10-31/layers/{quote(args.name, safe='')}/versions" if args.name else "/2018-10-31/layers"
            print_json(await api.call("GET", path))
        else:
            await api.call("DELETE", f"/2018-10-31/layers/{quote(args.name, safe='')}/versions/{args.version}")
            print(f"deleted layer version {args.name}:{args.version}")
    return 0
