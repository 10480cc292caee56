"""Invoke latency through the engine API: cold start (fresh environment) and warm invoke, no-op handlers.

    python bench/invoke.py [--backend process|docker] [--quick] [--runtime python3.11|nodejs20.x|ruby3.3|java17|
                                                                    provided.al2023|dotnet8]

Java, Go (provided.al2023) and C# (dotnet8) use the behaviour tests' functions, built first with `workbench build`.

Prints one JSON object per line: {"name", "backend", "unit", "p50", "p99", "n"}.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import emit, log
from workbench.building import build_project
from workbench.engine import Engine
from workbench.model.project import load_project

HANDLERS = {
    "python": ("app.py", "app.handler", "def handler(event, context):\n    return None\n"),
    "nodejs": ("index.js", "index.handler", "exports.handler = async () => null;\n"),
    "ruby": ("app.rb", "app.handler", "def handler(event:, context:)\n  nil\nend\n"),
}
FUNCTIONS = Path(__file__).resolve().parent.parent / "tests" / "behaviour" / "functions"
#: Compiled languages: (test functions folder, handler, Metadata.BuildMethod).
COMPILED = {"java": (FUNCTIONS / "java", "example.Streams", None), "provided": (FUNCTIONS / "go", "greet", "go1.x"),
            "dotnet": (FUNCTIONS / "dotnet", "Functions::Example.Orders::Nothing", None)}


def write_project(root: Path, runtime: str) -> Path:
    family = next((name for name in (*HANDLERS, *COMPILED) if runtime.startswith(name)), "python")
    metadata = ""
    if family in COMPILED:
        source, handler, method = COMPILED[family]
        shutil.copytree(source, root / "src")
        metadata = f"    Metadata:\n      BuildMethod: {method}\n" if method else ""
    else:
        filename, handler, code = HANDLERS[family]
        (root / "src").mkdir(parents=True)
        (root / "src" / filename).write_text(code)
    (root / "template.yaml").write_text(
        f"Resources:\n  Noop:\n    Type: AWS::Serverless::Function\n{metadata}    Properties:\n"
        f"      CodeUri: src\n      Handler: {handler}\n      Runtime: {runtime}\n")
    if family in COMPILED:
        build_project(root / "template.yaml")
    return root / "template.yaml"


async def measure(args: argparse.Namespace) -> None:
    cold_n, warm_n = (15, 500) if args.quick else (60, 5000)
    with tempfile.TemporaryDirectory(prefix="bench-invoke-") as folder:
        project = load_project(write_project(Path(folder), args.runtime))
        async with Engine(project, backend=args.backend) as engine:
            await engine.invoke("Noop", b"{}")  # interpreter lookup, code snapshot, image build: not what we measure
            await engine.stop_environments()
            cold: list[float] = []
            for _ in range(cold_n):
                started = time.perf_counter()
                result = await engine.invoke("Noop", b"{}")
                cold.append((time.perf_counter() - started) * 1000)
                assert result.cold_start and result.function_error is None, result.payload
                await engine.stop_environments()
            emit("cold_start", cold, backend=args.backend, runtime=args.runtime)
            await engine.invoke("Noop", b"{}")
            for _ in range(50):
                await engine.invoke("Noop", b"{}")
            warm: list[float] = []
            for _ in range(warm_n):
                started = time.perf_counter()
                await engine.invoke("Noop", b"{}")
                warm.append((time.perf_counter() - started) * 1000)
            emit("warm_invoke", warm, backend=args.backend, runtime=args.runtime)
            log(f"engine statistics: {engine.statistics().function('Noop').invocations} invocations")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="process")
    parser.add_argument("--runtime", default="python3.11")
    parser.add_argument("--quick", action="store_true", help="fewer samples; finishes in well under 30 s")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
