"""Every application template end to end, with real git, a real `workbench serve` and boto3: `init` (its
push is picked up when the server starts), edit a function, `git commit && git push`, Build and Deploy
succeed and the new code answers through the alias; a push that breaks a unit test changes nothing."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from workbench.pipeline import store
from workbench.pipeline.worker import SPEEDUP_VARIABLE

pytestmark = pytest.mark.slow

CASES: dict[str, tuple[str, str, str, str, dict[str, object]]] = {
    # template: (function, file to edit, old text, new text, event)
    "web-api": ("items-api", "src/items/app.py", "items API v1", "items API v2",
                {"httpMethod": "GET", "path": "/health"}),
    "queue-worker": ("order-worker", "src/worker/index.js", "order worker v1", "order worker v2",
                     {"Records": [{"messageId": "m1", "body": "{\"orderId\": \"1\", \"amount\": 2}"}]}),
    "stream-pipeline": ("readings-aggregator", "src/aggregator/app.py", "aggregator v1", "aggregator v2",
                        {"Records": []}),
}


def git(project: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@localhost", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@localhost"}
    done = subprocess.run(["git", *args], cwd=project, env=env, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout + done.stderr


def wait_for_run(project: Path, run_id: int, timeout: float = 90) -> store.Run:
    """Until the run has finished (it is written by the server's worker, in another process)."""
    deadline = time.monotonic() + timeout
    with store.with_store(project / ".workbench" / "state.db") as connection:
        while time.monotonic() < deadline:
            try:
                run = store.get_run(connection, run_id)
            except store.RunNotFoundError:
                run = None
            if run is not None and run.finished:
                return run
            time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """`workbench init` for the test's template happens in the test; this starts the server on it."""
    processes: list[subprocess.Popen[str]] = []
    logs = []

    def start(project: Path) -> str:
        log = (tmp_path / "serve.log").open("w")
        logs.append(log)
        process = subprocess.Popen([sys.executable, "-m", "workbench", "serve", "--project", str(project)],
                                   stdout=subprocess.PIPE, stderr=log, text=True,
                                   env={**os.environ, SPEEDUP_VARIABLE: "600"})
        processes.append(process)
        assert process.stdout is not None
        match = re.search(r"Lambda API at (http://127\.0\.0\.1:\d+)", process.stdout.readline())
        assert match is not None, (tmp_path / "serve.log").read_text()
        return match[1]

    yield start  # type: ignore[misc]
    for process in processes:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    for log in logs:
        log.close()


def invoke(url: str, function: str, event: dict[str, object]) -> object:
    client = boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x", config=Config(retries={"max_attempts": 0}))
    answer = client.invoke(FunctionName=function, Qualifier="live", Payload=json.dumps(event).encode())
    assert "FunctionError" not in answer, answer["Payload"].read()
    return json.loads(answer["Payload"].read())


@pytest.mark.parametrize("template", sorted(CASES))
def test_a_push_builds_and_deploys_through_the_alias(tmp_path: Path, serve, template: str) -> None:
    function, path, old, new, event = CASES[template]
    project = tmp_path / "app"
    subprocess.run([sys.executable, "-m", "workbench", "init", "--app-template", template, str(project)],
                   check=True, capture_output=True, timeout=60)
    url = serve(project)  # the push init made while no workbench ran is picked up now
    first = wait_for_run(project, 1)
    assert first.status == "succeeded", (first.error, [s.log for s in first.stages])
    assert old in json.dumps(invoke(url, function, event))

    source = project / path
    source.write_text(source.read_text().replace(old, new))
    git(project, "commit", "--quiet", "-am", "a new version")
    pushed = git(project, "push", "--quiet")
    assert "pipeline run 2 queued" in pushed
    second = wait_for_run(project, 2)
    assert second.status == "succeeded", (second.error, [s.log for s in second.stages])
    assert [stage.status for stage in second.stages] == ["succeeded"] * 3
    if template == "web-api":  # the Build's unit tests reached a real table through the workbench's endpoint
        assert "test_put_then_get_then_delete (test_items.ItemsTest" in second.stages[1].log
        assert "skipped" not in second.stages[1].log, second.stages[1].log
    assert new in json.dumps(invoke(url, function, event))

    if template != "web-api":
        return
    # A push whose unit test fails: Build fails with the test's output, Deploy is skipped, nothing changes.
    test_file = project / "tests" / "test_items.py"
    test_file.write_text(test_file.read_text().replace('["status"], "ok"', '["status"], "broken"'))
    source.write_text(source.read_text().replace(new, "items API v3"))
    git(project, "commit", "--quiet", "-am", "a broken test")
    git(project, "push", "--quiet")
    third = wait_for_run(project, 3)
    assert third.status == "failed" and third.error is not None and third.error.startswith("Build: phase pre_build")
    assert [stage.status for stage in third.stages] == ["succeeded", "failed", "skipped"]
    assert "FAILED (failures=1)" in third.stages[1].log
    assert new in json.dumps(invoke(url, function, event))
