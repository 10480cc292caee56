"""`workbench build`: build the project's functions like `sam build`, into `.aws-sam/build/`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from workbench.building import BuildError, build_project
from workbench.commands.common import CommandError, add_project_options, project_from, run_async
from workbench.model.template.builds import BUILD_DIR


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "build", help="build functions (dependencies, Java, Go, C#) into .aws-sam/build",
        description="Builds each function by its runtime and Metadata.BuildMethod, as `sam build` does: Python "
        "requirements.txt, Node.js package.json (npm install --omit=dev), Java pom.xml (Maven: classes + lib/), "
        "Go (BuildMethod: go1.x: a static bootstrap), Ruby Gemfile (vendor/bundle), C# (an assembly built with "
        f"Mono). Output: <project>/{BUILD_DIR}/<LogicalId>/, used by invoke, serve, load and the GUI while "
        "current. Unchanged sources are not rebuilt.")
    add_project_options(parser)
    parser.add_argument("functions", nargs="*", metavar="FUNCTION", help="logical ids to build (default: all)")
    parser.add_argument("--force", action="store_true", help="rebuild even when the sources did not change")
    parser.set_defaults(handler=lambda args: run_async(build(args)))


async def build(args: argparse.Namespace) -> int:
    project = project_from(args)

    def show(line: str) -> None:
        print(f"workbench: {line}", flush=True)

    try:
        outcomes = await asyncio.to_thread(build_project, project.template_path, args.functions, args.force, show)
    except BuildError as exc:
        raise CommandError(f"build failed: {exc}") from None
    built = sum(1 for outcome in outcomes if outcome.status == "built")
    for outcome in outcomes:
        if outcome.status == "skipped":
            print(f"workbench: {outcome.logical_id}: skipped ({outcome.detail})", file=sys.stderr)
    show(f"{built} built, {len(outcomes) - built} unchanged or skipped; output in {project.root / BUILD_DIR}")
    return 0
