"""`workbench sdk build`: the AWS SDKs Lambda's runtimes ship (boto3, the JS SDK v3), built into a cache for
every execution environment. Run by `make venv` and CI; never at invoke time."""

from __future__ import annotations

import argparse
import sys

from workbench.services.sdk import SdkBuildError, build_node, build_python, installed_sdks, sdk_root


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("sdk", help="build the AWS SDKs for functions (boto3, the JS SDK v3)",
                                   description="Build the AWS SDKs that functions import as on Lambda: boto3 for "
                                   "Python (copied from this installation) and the JS SDK v3 for Node.js (npm "
                                   f"install), into {sdk_root()} ($WORKBENCH_SDK_DIR).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build them (a no-op when up to date)")
    build.add_argument("--force", action="store_true", help="rebuild even when up to date")
    build.add_argument("--python-only", action="store_true", help="skip the JS SDK (no npm needed)")
    build.set_defaults(handler=_build)
    status = actions.add_parser("status", help="say what is built")
    status.set_defaults(handler=_status)


def _build(args: argparse.Namespace) -> int:
    print(f"workbench: boto3 for Python functions: {build_python(args.force)}")
    if args.python_only:
        return 0
    try:
        print(f"workbench: the JS SDK v3 for Node.js functions: {build_node(args.force)}")
    except SdkBuildError as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return 2
    return 0


def _status(args: argparse.Namespace) -> int:
    paths = installed_sdks()
    print(f"python: {paths.python or 'not built'}\nnodejs: {paths.node_modules or 'not built'}")
    return 0 if paths.python and paths.node_modules else 1
