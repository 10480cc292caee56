"""Every blueprint: created into a fresh project with `workbench new`, its own unit tests pass there, and the
engine invokes it with each sample event (those that need no AWS service) with the expected result."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from workbench.catalog.blueprints import Blueprint, list_blueprints
from workbench.cli import main
from workbench.engine import Engine
from workbench.model.project import load_project

BLUEPRINTS = list_blueprints()
KINDS = ("hello-world", "http-api-dynamodb", "s3-object", "sqs-batch", "kinesis-stream", "dynamodb-stream",
         "sns-message", "scheduled-job", "async-destinations")


def contains(actual: Any, expected: Any) -> bool:
    """``expected`` is a part of ``actual``: mappings by key (recursively), everything else equal."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            contains(a, e) for a, e in zip(actual, expected, strict=True))
    return bool(actual == expected)


def test_both_languages_for_every_kind() -> None:
    names = {blueprint.name for blueprint in BLUEPRINTS}
    assert names == {f"{kind}-{language}" for kind in KINDS for language in ("python", "nodejs")}
    for blueprint in BLUEPRINTS:
        assert "CC0-1.0" in (blueprint.folder / "LICENSE").read_text()
        assert blueprint.sample_events, blueprint.name


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One fresh project holding every blueprint (they must coexist, too)."""
    root = tmp_path_factory.mktemp("blueprints") / "project"
    for blueprint in BLUEPRINTS:
        assert main(["new", blueprint.name, "--project", str(root)]) == 0
    return root


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=lambda b: b.name)
def test_its_unit_tests_pass_in_the_project(project: Path, blueprint: Blueprint) -> None:
    folder = project / blueprint.name
    if blueprint.language == "nodejs":
        node = shutil.which("node")
        assert node is not None, "Node.js is needed (CI installs it)"
        command = [node, "--test", *sorted(str(path) for path in (folder / "tests").glob("*.test.js"))]
    else:
        command = [sys.executable, "-m", "unittest", "discover", "-s", "tests"]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=lambda b: b.name)
async def test_the_engine_answers_its_sample_events(project: Path, blueprint: Blueprint) -> None:
    events_dir = project / "events" / blueprint.name
    assert sorted(path.stem for path in events_dir.glob("*.json")) == sorted(e.name for e in blueprint.sample_events)
    runnable = [event for event in blueprint.sample_events if not event.needs]
    assert runnable, f"{blueprint.name} has no sample event the engine can answer without services"
    async with Engine(load_project(project_dir=project), state_dir=project / ".workbench" / blueprint.name) as engine:
        for event in runnable:
            result = await engine.invoke(blueprint.name, (events_dir / f"{event.name}.json").read_bytes())
            payload = json.loads(result.payload)
            if "error" in event.expect:
                assert result.function_error == "Unhandled", (event.name, payload)
                assert payload["errorType"] == event.expect["error"], payload
            else:
                assert result.function_error is None, (event.name, payload)
                assert contains(payload, event.expect["result"]), (event.name, payload, event.expect["result"])
