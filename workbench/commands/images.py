"""`workbench images build|list|prune`: the Docker backend's runtime images, built offline."""

from __future__ import annotations

import argparse
import sys
import time

from workbench.backends.images import RECIPES, RuntimeImages, kind_of
from workbench.commands.common import CommandError, run_async
from workbench.model.runtimes import lookup_runtime

_PER_PACKAGE = ("I: Retrieving ", "I: Validating ", "I: Extracting ", "I: Unpacking ", "I: Configuring ")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("images", help="build and manage the Docker backend's runtime images",
                                   description="Runtime images for --backend docker. They are built offline: "
                                   "from WORKBENCH_BASE_IMAGES (local images, e.g. python=python:3.11-slim) or "
                                   "from a minimal Debian made with debootstrap from this system's apt mirror.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build the images that are missing or out of date")
    build.add_argument("--runtime", action="append", default=[], metavar="RUNTIME",
                       help="only the image for this runtime (python3.11, nodejs20.x, provided, ...); repeatable")
    build.add_argument("--force", action="store_true", help="rebuild even when up to date")
    actions.add_parser("list", help="list runtime images (current ones are marked *)")
    actions.add_parser("prune", help="remove runtime images that are no longer current")
    parser.set_defaults(handler=lambda args: run_async(images(args)))


def kinds_for(runtime_names: list[str]) -> list[str]:
    if not runtime_names:
        return list(RECIPES)
    kinds: list[str] = []
    for name in runtime_names:
        try:
            runtime = lookup_runtime(name)
        except KeyError as exc:
            raise CommandError(str(exc.args[0])) from None
        kind = kind_of(runtime)
        if kind is None:
            raise CommandError(f"the Docker backend has no image for {name} yet")
        if kind not in kinds:
            kinds.append(kind)
    return kinds


class ProgressPrinter:
    """Shows each build step; per-package lines of debootstrap become one running count."""

    def __init__(self) -> None:
        self._packages = 0
        self._started = time.monotonic()

    def __call__(self, line: str) -> None:
        elapsed = f"[{time.monotonic() - self._started:6.1f}s]"
        if line.startswith(_PER_PACKAGE):
            self._packages += 1
            if self._packages % 25 == 0:
                print(f"{elapsed} ... {self._packages} package steps", flush=True)
            return
        print(f"{elapsed} {line}", flush=True)


async def images(args: argparse.Namespace) -> int:
    from workbench.backends.docker_api import DockerApi  # the docker SDK only when this command runs

    api = await DockerApi.connect()
    try:
        store = RuntimeImages(api)
        if args.action == "build":
            for kind in kinds_for(args.runtime):
                await store.build(kind, ProgressPrinter(), force=args.force)
        elif args.action == "list":
            rows = await store.rows()
            if not rows:
                print("no runtime images yet: `workbench images build` makes them", file=sys.stderr)
            for row in rows:
                mark = "*" if row.current else " "
                created = time.strftime("%Y-%m-%d %H:%M", time.localtime(row.created))
                print(f"{mark} {row.kind:7} {row.reference:45} {row.language_version:10} "
                      f"{row.size_bytes / 1e6:8.1f} MB  {created}")
        else:
            removed = await store.prune()
            for reference in removed:
                print(f"removed {reference}")
            print(f"{len(removed)} image(s) removed", file=sys.stderr)
    finally:
        await api.close()
    return 0
