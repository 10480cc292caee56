"""Out of file descriptors before a runtime is even launched (issue 19, item 9): the cold start fails with
`Runtime.ResourceExhausted` saying which limit to raise — not an OSError that the API turns into a 500 or a
misleading `Runtime.InvalidEntrypoint` — and the engine serves again once descriptors are free.

Run in a child process: the test lowers the soft RLIMIT_NOFILE to exactly what is open."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import make_project

SCRIPT = """
import asyncio, json, os, resource, sys
from pathlib import Path
from workbench.engine import Engine
from workbench.model.project import load_project

async def main():
    project = load_project(Path(sys.argv[1]))
    async with Engine(project, state_dir=Path(sys.argv[2])) as engine:
        await engine.invoke("fn", b"{}")  # finds the interpreter once
        await engine.stop_environments()   # so the next invoke is a cold start
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        highest = max(int(name) for name in os.listdir("/proc/self/fd"))
        resource.setrlimit(resource.RLIMIT_NOFILE, (highest + 1, hard))
        fillers = []
        try:
            while True:
                fillers.append(os.open("/dev/null", os.O_RDONLY))
        except OSError:
            pass
        exhausted = await engine.invoke("fn", b"{}")
        for fd in fillers:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        recovered = await engine.invoke("fn", b"{}")
        print(json.dumps({"exhausted": [exhausted.function_error, json.loads(exhausted.payload)],
                          "recovered": [recovered.function_error, json.loads(recovered.payload)]}))

asyncio.run(main())
"""


def test_no_descriptor_left_for_a_cold_start_is_a_clear_error(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {
        "Fn": {"FunctionName": "fn", "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.12"},
    }, files={"src/app.py": "def handler(event, context):\n    return {'ok': True}\n"})
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(project.template_path), str(tmp_path / "state")],
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "WORKBENCH_SANDBOX": "off"})
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    error, payload = outcome["exhausted"]
    assert error == "Unhandled" and payload["errorType"] == "Runtime.ResourceExhausted", payload
    assert "file descriptors" in payload["errorMessage"] and "ulimit -n" in payload["errorMessage"]
    assert outcome["recovered"] == [None, {"ok": True}]
