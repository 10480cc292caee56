"""Nothing accepted is lost: events accepted by a `workbench serve` that is then killed with SIGKILL (while
they are queued or running) are all processed, at least once, by the next `workbench serve`; and a second
engine started beside the first (`workbench invoke`) leaves them to it (one processor per project)."""

from __future__ import annotations

import functools
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.api.conftest import lambda_client
from tests.helpers import make_project, wait_until_blocking
from tests.test_serve_cli import Serve
from workbench.engine import QueuedEvent, query_events

APP = """
import time
def handler(event, context):
    time.sleep(event["sleep"])
    return event["n"]
"""
EVENTS = 12


def _events(database: Path) -> list[QueuedEvent]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        return query_events(connection, "sleeper")
    finally:
        connection.close()


_until = functools.partial(wait_until_blocking, timeout=90.0)


def test_events_survive_kill_9_and_are_processed_after_the_restart(tmp_path: Path) -> None:
    make_project(tmp_path, {"Sleeper": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                        "FunctionName": "sleeper", "Timeout": 30, "ReservedConcurrentExecutions": 2},
                            "Quick": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                      "FunctionName": "quick"}},
                 {"src/app.py": APP})
    database = tmp_path / ".workbench" / "state.db"
    first = Serve("--project", str(tmp_path), cwd=tmp_path)
    client = lambda_client(first.url)
    accepted = []
    for n in range(EVENTS):
        answer = client.invoke(FunctionName="sleeper", InvocationType="Event", Payload=f'{{"n": {n}, "sleep": 2}}')
        assert answer["StatusCode"] == 202
        accepted.append(answer["ResponseMetadata"]["RequestId"])
    client.close()
    _until(lambda: any(e.state == "running" for e in _events(database)), "no event started running")
    # a second engine on the project, beside the server: it runs its own invocation, not the server's queue
    beside = subprocess.run([sys.executable, "-m", "workbench", "invoke", "quick", "--project", str(tmp_path),
                             "--event-json", '{"n": -1, "sleep": 0}'], capture_output=True, text=True, timeout=120)
    assert beside.returncode == 0 and beside.stdout.strip() == "-1", beside.stderr
    processors = {attempt.get("processor") for e in _events(database) for attempt in e.history}
    assert processors == {first.process.pid}
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(30)
    first.process.communicate()
    before = {e.request_id: e.state for e in _events(database)}
    assert set(before) == set(accepted)                           # every accepted event was committed
    assert sum(state in ("queued", "running", "retry-wait") for state in before.values()) >= EVENTS // 2

    second = Serve("--project", str(tmp_path), cwd=tmp_path)
    try:
        _until(lambda: all(e.state == "succeeded" for e in _events(database)), "not every event was processed")
    finally:
        second.stop()
    after = _events(database)
    assert {e.request_id for e in after} == set(accepted)
    assert all(e.attempts >= 1 for e in after)
    assert {attempt.get("processor") for e in after for attempt in e.history} == \
        {first.process.pid, second.process.pid}
    interrupted = [e for e in after if any(a.get("outcome") == "interrupted" for a in e.history)]
    assert len(interrupted) == sum(state == "running" for state in before.values())
