"""Template load time: the bundled sample project and a generated 200-function SAM template.

Three figures per template, each from fresh processes where it matters:
- ``cold``: a new process, nothing cached (imports the SAM translator and translates);
- ``restart``: a new process with the translation cached in the project's `.workbench/cache/`
  (what every engine start after the first sees);
- ``reload``: the same process loading again (the GUI reloading the project when the template is saved).

Usage: python bench/template_load.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import emit

REPO = Path(__file__).resolve().parent.parent
_ONE_LOAD = """
import sys, time
started = time.perf_counter()
from pathlib import Path
from workbench.model.template import load_template
load_template(Path(sys.argv[1]))
first = time.perf_counter() - started
again = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    load_template(Path(sys.argv[1]))
    again.append(time.perf_counter() - started)
print(first, *again)
"""


def generate(folder: Path, count: int = 200) -> Path:
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    lines = ["Transform: AWS::Serverless-2016-10-31", "Globals:", "  Function:", "    Runtime: python3.12",
             "    Timeout: 10", "Resources:"]
    for i in range(count):
        lines += [f"  Fn{i}:", "    Type: AWS::Serverless::Function", "    Properties:", f"      FunctionName: fn-{i}",
                  "      CodeUri: src/", "      Handler: app.handler", "      MemorySize: 256", "      Environment:",
                  "        Variables:", f"          INDEX: '{i}'"]
        if i % 10 == 0:
            lines += ["      AutoPublishAlias: live"]
    (folder / "template.yaml").write_text("\n".join(lines) + "\n")
    return folder / "template.yaml"


def run(template: Path, repeats: int) -> list[float]:
    out = subprocess.run([sys.executable, "-c", _ONE_LOAD, str(template), str(repeats)], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout.split()
    return [float(value) * 1000 for value in out]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        sample = Path(scratch) / "sample"
        shutil.copytree(REPO / "workbench" / "resources" / "sample-project", sample,
                        ignore=shutil.ignore_patterns(".workbench"))
        templates = {"sample": sample / "template.yaml", "200-functions": generate(Path(scratch) / "big")}
        for name, template in templates.items():
            cold, restart, reload = [], [], []
            for _ in range(args.runs):
                shutil.rmtree(template.parent / ".workbench", ignore_errors=True)
                times = run(template, 5)
                cold.append(times[0])
                reload.extend(times[1:])
                restart.append(run(template, 0)[0])
            emit(f"template_load_cold_{name}", cold)
            emit(f"template_load_restart_{name}", restart)
            emit(f"template_load_reload_{name}", reload)


if __name__ == "__main__":
    main()
