"""The command line, run as a real subprocess the way users run it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import make_project, zip_of

APP = """
    calls = 0
    def handler(event, context):
        global calls
        calls += 1
        print("log line", calls)
        if event.get("fail"):
            raise RuntimeError("failed on purpose")
        return {"calls": calls, "event": event}
"""


def _workbench(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workbench", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=60, check=False)


def _project(tmp_path: Path) -> None:
    make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                   "FunctionName": "my-fn"}}, {"src/app.py": APP, "events/e.json": '{"from": "file"}'})


def test_invoke_prints_payloads_on_stdout_and_logs_on_stderr(tmp_path: Path) -> None:
    _project(tmp_path)
    done = _workbench("invoke", "my-fn", "--count", "3", "--event-json", '{"x": 1}', cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    payloads = [json.loads(line) for line in done.stdout.splitlines()]
    assert [p["calls"] for p in payloads] == [1, 2, 3]
    assert payloads[0]["event"] == {"x": 1}
    assert done.stderr.count("START RequestId:") == 3 and done.stderr.count("REPORT RequestId:") == 3
    assert done.stderr.count("Init Duration:") == 1
    assert "log line 2" in done.stderr


def test_invoke_reads_event_files_and_stdin(tmp_path: Path) -> None:
    _project(tmp_path)
    from_file = _workbench("invoke", "Fn", "-e", str(tmp_path / "events/e.json"), "-t", str(tmp_path / "template.yaml"),
                           cwd=tmp_path.parent)
    assert json.loads(from_file.stdout)["event"] == {"from": "file"}
    from_stdin = _workbench("invoke", "Fn", "--project", str(tmp_path), cwd=tmp_path.parent, stdin='{"s": 1}')
    assert json.loads(from_stdin.stdout)["event"] == {"s": 1}


def test_function_error_exits_non_zero_and_still_prints_the_payload(tmp_path: Path) -> None:
    _project(tmp_path)
    done = _workbench("invoke", "my-fn", "--event-json", '{"fail": true}', cwd=tmp_path)
    assert done.returncode == 1
    assert json.loads(done.stdout)["errorMessage"] == "failed on purpose"
    assert "[ERROR] RuntimeError: failed on purpose" in done.stderr


def test_user_errors_are_one_line(tmp_path: Path) -> None:
    _project(tmp_path)
    unknown = _workbench("invoke", "nope", cwd=tmp_path)
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == ("workbench: error: ResourceNotFoundException: Function not found: "
                                      "arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST")
    bad_json = _workbench("invoke", "my-fn", "--event-json", "{oops", cwd=tmp_path)
    assert bad_json.returncode == 2 and "InvalidRequestContentException" in bad_json.stderr
    no_template = _workbench("invoke", "my-fn", cwd=tmp_path / "src")
    assert no_template.returncode == 2 and "no template.yaml" in no_template.stderr


def test_logs_and_traces_read_the_project_store(tmp_path: Path) -> None:
    _project(tmp_path)
    _workbench("invoke", "my-fn", "--count", "2", cwd=tmp_path)
    logs = _workbench("logs", "my-fn", cwd=tmp_path)
    assert logs.returncode == 0
    assert logs.stdout.count("START RequestId:") == 2 and "log line 1" in logs.stdout
    traces = _workbench("traces", "Fn", cwd=tmp_path)
    lines = traces.stdout.splitlines()
    assert len(lines) == 2 and " cold " in lines[0] and " warm " in lines[1], traces.stdout + traces.stderr
    documents = [json.loads(line) for line in _workbench("traces", "my-fn", "--json", cwd=tmp_path).stdout.splitlines()]
    function_segments = [d for d in documents if d["origin"] == "AWS::Lambda::Function"]
    assert len(function_segments) == 2
    assert [s["name"] for s in function_segments[0]["subsegments"]] == ["Initialization", "Invocation", "Overhead"]
    assert [s["name"] for s in function_segments[1]["subsegments"]] == ["Invocation", "Overhead"]


def test_load_prints_a_json_report_as_its_last_line(tmp_path: Path) -> None:
    _project(tmp_path)
    done = _workbench("load", "my-fn", "--requests", "30", "--concurrency", "3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert {"requests", "succeeded", "failed", "throttled", "cold_starts", "peak_environments", "duration_s",
            "throughput_per_s", "p50_ms", "p99_ms"} <= set(report)
    assert report["requests"] == 30 and report["succeeded"] == 30 and report["cold_starts"] == 3
    paced = _workbench("load", "my-fn:$LATEST", "--rate", "20", "--duration", "0.5", "--quiet", cwd=tmp_path)
    assert json.loads(paced.stdout.splitlines()[-1])["requests"] == 10
    wrong = _workbench("load", "my-fn", "--requests", "3", cwd=tmp_path)
    assert wrong.returncode == 2 and "--concurrency" in wrong.stderr


def test_logs_follow_prints_new_lines_as_they_arrive(tmp_path: Path) -> None:
    _project(tmp_path)
    with subprocess.Popen([sys.executable, "-m", "workbench", "logs", "my-fn", "--follow"], cwd=tmp_path,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as follower:
        try:
            _workbench("invoke", "my-fn", "--event-json", '{"n": 1}', cwd=tmp_path)
            seen = ""
            deadline = time.monotonic() + 20
            while "REPORT RequestId" not in seen and time.monotonic() < deadline:
                seen += follower.stdout.readline() if follower.stdout else ""
            assert "START RequestId" in seen and "log line 1" in seen and "REPORT RequestId" in seen
        finally:
            follower.terminate()


def test_logs_and_traces_of_a_function_created_through_the_api(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "fn.zip").write_bytes(zip_of({"app.py": "def handler(e, c):\n    print('api says hi')\n"}))
    deployed = _workbench("deploy", "fn.zip", "--name", "api-fn", "--runtime", "python3.11", "--handler",
                          "app.handler", cwd=tmp_path)
    assert deployed.returncode == 0, deployed.stderr
    assert _workbench("invoke", "api-fn", "--count", "2", cwd=tmp_path).returncode == 0
    tail = _workbench("logs", "api-fn", "--tail", "2", cwd=tmp_path).stdout.splitlines()
    assert len(tail) == 2 and "END RequestId" in tail[0] and "REPORT RequestId" in tail[1]
    assert "api says hi" in _workbench("logs", "api-fn", cwd=tmp_path).stdout
    assert len(_workbench("traces", "api-fn", cwd=tmp_path).stdout.splitlines()) == 2
