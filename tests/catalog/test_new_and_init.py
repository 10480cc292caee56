"""`workbench new` and `workbench init`: formatting kept, clashes and unknown names refused, listings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from workbench.cli import main

USER_TEMPLATE = """\
# my project: keep this comment
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31

Resources:
    Mine:   # mine too
        Type: AWS::Serverless::Function
        Properties:
            InlineCode: "def handler(e, c): return 1"
            Handler: index.handler
            Runtime: python3.11
"""


def test_new_keeps_the_users_formatting_and_comments(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(USER_TEMPLATE)
    assert main(["new", "sqs-batch-python", "--name", "orders", "--project", str(tmp_path)]) == 0
    text = (tmp_path / "template.yaml").read_text()
    assert text.startswith(USER_TEMPLATE)  # untouched, byte for byte
    assert "    Orders:\n        Type: AWS::Serverless::Function" in text
    assert "Queue: !GetAtt OrdersQueue.Arn" in text and "deadLetterTargetArn: !GetAtt OrdersDeadLetterQueue.Arn" in text
    assert sorted(p.name for p in (tmp_path / "events" / "orders").iterdir()) == ["all-valid.json", "one-invalid.json"]
    assert (tmp_path / "orders" / "src" / "app.py").is_file()


def test_new_refuses_a_clash_and_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "hello-world-python", "--project", str(tmp_path)]) == 0
    before = (tmp_path / "template.yaml").read_text()
    capsys.readouterr()
    assert main(["new", "hello-world-nodejs", "--name", "hello-world-python", "--project", str(tmp_path)]) == 2
    assert "already has a resource HelloWorldPython" in capsys.readouterr().err
    assert (tmp_path / "template.yaml").read_text() == before


def test_unknown_names_list_the_valid_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "hello-wrld", "--project", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "there is no blueprint 'hello-wrld'" in error and "hello-world-python" in error
    assert not tmp_path.joinpath("template.yaml").exists()
    assert main(["init", "--app-template", "nope", str(tmp_path / "app")]) == 2
    error = capsys.readouterr().err
    assert "there is no application template 'nope'" in error and "web-api" in error


def test_listings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 18 and {"name", "runtime", "triggers", "sample_events"} <= set(listed[0])
    assert main(["init", "--list", "--json"]) == 0
    assert {t["name"] for t in json.loads(capsys.readouterr().out)} == {"web-api", "queue-worker", "stream-pipeline"}
    for command, count in (["new", "--list"], 18), (["init", "--list"], 3):  # as text: `name  title`, aligned
        assert main(command) == 0
        lines = capsys.readouterr().out.splitlines()
        names = [line.split()[0] for line in lines]
        width = max(len(name) for name in names)
        assert len(lines) == count and names == sorted(names)
        assert all(line[len(name):width + 2].isspace() and not line[width + 2].isspace()
                   for name, line in zip(names, lines, strict=True))


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "notes.txt").write_text("mine")
    assert main(["init", "--app-template", "web-api", str(tmp_path / "app")]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app"]


def test_init_makes_a_repository_with_a_bare_origin_and_queues_the_first_run(tmp_path: Path) -> None:
    assert main(["init", "--app-template", "stream-pipeline", str(tmp_path / "app")]) == 0
    remote = subprocess.run(["git", "remote", "get-url", "origin"], cwd=tmp_path / "app", capture_output=True,
                            text=True, check=True).stdout.strip()
    assert remote == str(tmp_path / "app.git")
    assert (tmp_path / "app.git" / "hooks" / "post-receive").stat().st_mode & 0o100
    for name in ("template.yaml", "buildspec.yml", "pipeline.yaml", "tests/test_aggregator.py"):
        assert (tmp_path / "app" / name).is_file()
    from workbench.pipeline import store
    with store.with_store(tmp_path / "app" / ".workbench" / "state.db") as connection:
        [run] = store.list_runs(connection)
    assert run.status == "queued" and run.ref == "refs/heads/main"
