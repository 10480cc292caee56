"""`workbench pipeline runs|show|logs|retry` over runs recorded in a project's store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.pipeline import store


def test_runs_show_logs_and_retry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with store.with_store(tmp_path / ".workbench" / "state.db") as connection:
        run_id = store.enqueue(connection, "/repo.git", "refs/heads/main", "0" * 40, "ab" * 20, 1000.0)
        assert store.claim_next(connection, 1001.0) is not None
        store.set_stage(connection, run_id, "Source", "running", 1001.0)
        store.append_log(connection, run_id, "Source", "checked out\n")
        store.set_stage(connection, run_id, "Source", "failed", 1002.0)
        store.finish_run(connection, run_id, "failed", 1002.0, "Source: no pipeline.yaml")
    project = ["--project", str(tmp_path)]
    assert main(["pipeline", "runs", "--json", *project]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["status"] == "failed"
    assert [s["status"] for s in listed["stages"]] == ["failed", "skipped", "skipped"]
    assert main(["pipeline", "show", str(run_id), *project]) == 0
    assert "error: Source: no pipeline.yaml" in capsys.readouterr().out
    assert main(["pipeline", "logs", str(run_id), "--follow", *project]) == 0
    assert capsys.readouterr().out == "==> Source\nchecked out\n==> run 1 failed: Source: no pipeline.yaml\n"
    assert main(["pipeline", "retry", str(run_id), *project]) == 0
    assert "run 2 queued (a retry of run 1)" in capsys.readouterr().out
    assert main(["pipeline", "show", "9", *project]) == 2
    assert "there is no pipeline run 9" in capsys.readouterr().err
