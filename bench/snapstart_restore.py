"""SnapStart restore against an on-demand cold start, on the process backend: a python3.12 function whose init
imports a few modules, published with SnapStart; every measured request lands on a new environment.

    python bench/snapstart_restore.py [--samples 30] [--quick]

Prints `snapstart_restore` (the environment's Restore Duration, as RESTORE_REPORT says it) and
`on_demand_init` ($LATEST's Init Duration on the same function), in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import emit
from workbench.engine import Engine
from workbench.model.project import load_project

HANDLER = ("import json, decimal, email.utils, http.client\n"
           "def handler(event, context):\n    return None\n")


def write_project(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(HANDLER)
    (root / "template.yaml").write_text(
        "Resources:\n  Snap:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src\n"
        "      Handler: app.handler\n      Runtime: python3.12\n      SnapStart:\n        ApplyOn: PublishedVersions\n")
    return root / "template.yaml"


async def measure(args: argparse.Namespace) -> None:
    samples = 8 if args.quick else args.samples
    restores: list[float] = []
    inits: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-snapstart-") as folder:
        async with Engine(load_project(write_project(Path(folder)))) as engine:
            version = (await engine.publish_version("Snap")).version
            for _ in range(samples):
                restored = await engine.invoke("Snap", qualifier=version)
                cold = await engine.invoke("Snap")
                assert restored.function_error is None and cold.function_error is None
                await engine.stop_environments()
            for line in await engine.logs("Snap", limit=100000):
                if line.message.startswith("RESTORE_REPORT Restore Duration: "):
                    restores.append(float(line.message.split()[3]))
                elif line.message.startswith("REPORT") and "Init Duration: " in line.message:
                    inits.append(float(line.message.split("Init Duration: ")[1].split()[0]))
    emit("snapstart_restore", restores, backend="process", runtime="python3.12")
    emit("on_demand_init", inits, backend="process", runtime="python3.12")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--quick", action="store_true")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
