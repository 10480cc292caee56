"""`workbench resources`, `workbench sdk status` and the --aws-endpoint option."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.api.conftest import ServerThread
from tests.services.conftest import aws, write_project
from workbench.cli import main
from workbench.commands.serve import MARKER_NAME


def test_resources_of_a_fresh_engine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "project")
    assert main(["resources", "--project", str(root), "--json"]) == 0
    found = {(r["kind"], r["name"]): r for r in json.loads(capsys.readouterr().out)}
    assert found[("AWS::SQS::Queue", "wb-work")]["size"] == "0 messages (0 in flight)"
    assert found[("AWS::SQS::Queue", "wb-work")]["url"].endswith("/123456789012/wb-work")
    assert found[("AWS::Kinesis::Stream", "clicks")]["size"] == "2 shards"
    assert found[("AWS::DynamoDB::Table", "orders")]["size"].startswith("0 items, stream arn:aws:dynamodb:")
    assert found[("AWS::Events::EventBus", "shop")]["size"] == "1 rules"
    assert found[("AWS::S3::Bucket", "wb-uploads")]["arn"] == "arn:aws:s3:::wb-uploads"
    assert found[("AWS::SNS::Topic", "fanout")]["size"] == "1 subscriptions"


def test_resources_of_a_running_server_show_live_sizes(served: ServerThread,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    aws(served.url, "dynamodb").put_item(TableName="orders", Item={"pk": {"S": "counted"}})
    marker = served.state_dir / MARKER_NAME
    marker.write_text(json.dumps({"pid": os.getpid(), "url": served.url}))
    try:
        assert main(["resources", "--project", str(served.state_dir.parent)]) == 0
    finally:
        marker.unlink()
    table = capsys.readouterr().out
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in table.splitlines()}
    assert rows[("AWS::DynamoDB::Table", "orders")][:2] == ["1", "items,"]  # the server's live data


def test_aws_endpoint_must_be_a_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "project")
    assert main(["resources", "--project", str(root), "--aws-endpoint", "localhost:4566"]) == 2
    assert "--aws-endpoint must be an http(s)://host[:port] URL" in capsys.readouterr().err


def test_bad_template_resource_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "project")
    template = root / "template.yaml"
    template.write_text(template.read_text().replace("ShardCount: 2", "ShardCount: 0"))
    assert main(["resources", "--project", str(root)]) == 2
    assert capsys.readouterr().err.strip().endswith(
        "template.yaml: Clicks.ShardCount: a stream needs at least 1 shard (got 0)")
