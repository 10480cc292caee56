"""Every blueprint: created into a fresh project with `workbench new`, served by a real `workbench serve`
(engine and API in a thread, moto behind its one endpoint, the template's tables, buckets, queues, topics
and streams made there). Its own unit tests pass in the project against those local services (none of
them skipped), and the engine answers each sample event with the expected result; events that need a
service run end to end, and what the function wrote there is read back through boto3."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest

from tests.api.conftest import ServerThread, lambda_client
from tests.services.conftest import aws
from workbench.catalog.blueprints import Blueprint, SampleEvent, list_blueprints
from workbench.catalog.newfunction import logical_id_for
from workbench.cli import main
from workbench.model.project import load_project
from workbench.services.sdk import installed_sdks

BLUEPRINTS = list_blueprints()
KINDS = ("hello-world", "http-api-dynamodb", "s3-object", "sqs-batch", "kinesis-stream", "dynamodb-stream",
         "sns-message", "scheduled-job", "async-destinations")
#: What the S3 blueprints' sample upload holds (their tests expect 24 bytes, 2 lines, 5 words).
UPLOAD = b"one two\nthree four five\n"


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


@pytest.fixture(scope="module")
def served(project: Path) -> Iterator[ServerThread]:
    running = ServerThread(project / ".workbench", load_project(project_dir=project)).start()
    yield running
    running.stop()


def resource(served: ServerThread, blueprint: Blueprint, local_id: str) -> dict[str, str]:
    """The attributes (Ref, Arn, ...) of a blueprint's resource as the local services made it."""
    assert served.engine is not None
    return served.engine.resource_attributes[logical_id_for(blueprint.name) + local_id]


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=lambda b: b.name)
def test_its_unit_tests_pass_in_the_project(project: Path, served: ServerThread, blueprint: Blueprint) -> None:
    folder = project / blueprint.name
    env = {**os.environ, "AWS_ENDPOINT_URL": served.url, "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}
    if blueprint.language == "nodejs":
        node = shutil.which("node")
        assert node is not None, "Node.js is needed (CI installs it)"
        sdk = installed_sdks().node_path
        assert sdk, "the JS SDK v3 is needed: `workbench sdk build` (make venv runs it)"
        env["NODE_PATH"] = os.pathsep.join(sdk)
        command = [node, "--test", *sorted(str(path) for path in (folder / "tests").glob("*.test.js"))]
    else:
        command = [sys.executable, "-m", "unittest", "discover", "-s", "tests"]
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    # Real or nothing: with the services there, no test may have skipped itself.
    assert "# skipped 0" in output if blueprint.language == "nodejs" else "skipped=" not in output, output


def s3_event(served: ServerThread, blueprint: Blueprint, event: dict[str, Any]) -> dict[str, Any]:
    """The sample upload put into the blueprint's real bucket, and the event pointed at that bucket (as S3's
    notification of it would be)."""
    bucket = resource(served, blueprint, "Bucket")["Ref"]
    s3 = aws(served.url, "s3")
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])
        if not key.startswith("processed/"):
            s3.put_object(Bucket=bucket, Key=key, Body=UPLOAD)
        record["s3"]["bucket"].update(name=bucket, arn=f"arn:aws:s3:::{bucket}")
    return event


def check_service_side(served: ServerThread, blueprint: Blueprint, sample: SampleEvent, payload: Any) -> None:
    """What the function wrote to the services, read back through boto3."""
    if "s3" in sample.needs:
        bucket = resource(served, blueprint, "Bucket")["Ref"]
        for summary in payload["summaries"]:
            written = aws(served.url, "s3").get_object(Bucket=bucket, Key=f"processed/{summary['key']}.json")
            assert json.loads(written["Body"].read())["bytes"] == len(UPLOAD)
    if "dynamodb" in sample.needs:
        table = resource(served, blueprint, "Table")["Ref"]
        stored = aws(served.url, "dynamodb").get_item(TableName=table, Key={"id": {"S": "42"}}).get("Item")
        assert stored is not None and stored["name"] == {"S": "towel"}, stored


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=lambda b: b.name)
def test_the_engine_answers_its_sample_events(project: Path, served: ServerThread, blueprint: Blueprint) -> None:
    events_dir = project / "events" / blueprint.name
    assert sorted(path.stem for path in events_dir.glob("*.json")) == sorted(e.name for e in blueprint.sample_events)
    client = lambda_client(served.url)
    for sample in blueprint.sample_events:  # in the blueprint's order: put-item before get-item
        event = json.loads((events_dir / f"{sample.name}.json").read_bytes())
        if "s3" in sample.needs:
            event = s3_event(served, blueprint, event)
        answer = client.invoke(FunctionName=blueprint.name, Payload=json.dumps(event).encode())
        payload = json.loads(answer["Payload"].read())
        if "error" in sample.expect:
            assert answer.get("FunctionError") == "Unhandled", (sample.name, payload)
            assert payload["errorType"] == sample.expect["error"], payload
        else:
            assert "FunctionError" not in answer, (sample.name, payload)
            assert contains(payload, sample.expect["result"]), (sample.name, payload, sample.expect["result"])
            check_service_side(served, blueprint, sample, payload)
