"""`workbench mappings [--json]`, as a real subprocess: from the project's store when no server runs (no poller
started), and from a running `workbench serve` (the live state and last result) when one does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

from tests.event_sources.conftest import eventually
from tests.helpers import make_project
from tests.test_serve_cli import Serve
from workbench.model.project import load_project

APP = "def handler(event, context):\n    return None\n"


def _mappings(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workbench", "mappings", "--project", str(project), *options],
                          capture_output=True, text=True, timeout=90, check=True)


def _listed(project: Path) -> list[dict[str, Any]]:
    return list(json.loads(_mappings(project, "--json").stdout))


def test_mappings_from_the_store_and_from_a_running_server(tmp_path: Path) -> None:
    make_project(tmp_path, {"Worker": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                       "FunctionName": "worker", "Events": {"Work": {"Type": "SQS", "Properties": {
                                           "Queue": {"Fn::GetAtt": ["Queue", "Arn"]}, "BatchSize": 7}}}}},
                 {"src/app.py": APP}, extra_resources={"Queue": {"Type": "AWS::SQS::Queue",
                                                                 "Properties": {"QueueName": "work"}}})
    load_project(tmp_path)  # the template is valid
    assert _listed(tmp_path) == []  # nothing ran yet: no store
    assert _mappings(tmp_path).stdout.strip() == "no event source mappings"

    server = Serve("--project", str(tmp_path), cwd=tmp_path.parent)
    try:
        live = _listed(tmp_path)
        assert len(live) == 1 and live[0]["State"] == "Enabled" and live[0]["BatchSize"] == 7
        assert live[0]["FunctionArn"].endswith(":function:worker")
        assert live[0]["EventSourceArn"].endswith(":work")
        sqs = boto3.client("sqs", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="x",
                           aws_secret_access_key="x")
        sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName="work")["QueueUrl"], MessageBody="hello")
        eventually(lambda: _listed(tmp_path)[0]["LastProcessingResult"] == "OK", what="the batch in the listing")
        table = _mappings(tmp_path).stdout
        assert "Enabled" in table and "worker" in table and "batch 7" in table and table.rstrip().endswith("OK")
        sqs.close()
    finally:
        server.stop()

    stored = _listed(tmp_path)  # the server is gone: the store's view, no poller started
    assert [(m["UUID"], m["State"], m["LastProcessingResult"]) for m in stored] == [
        (live[0]["UUID"], "Enabled", "(not running)")]
