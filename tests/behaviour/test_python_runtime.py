"""The Python runtime against real runtime processes: reuse, context, environment, logs, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.behaviour.checks import ACCOUNT_ARN, LOG_STREAM, assert_cold_report
from tests.helpers import EventLog, make_project, running
from workbench.engine.observation.events import EnvironmentInitialised, InvocationFinished, LogLine

CONTEXT_APP = """
    import json, os, time
    INIT_PID = os.getpid()
    calls = 0

    def handler(event, context):
        global calls
        calls += 1
        return {
            "calls": calls,
            "pid": os.getpid(),
            "init_pid": INIT_PID,
            "event": event,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
            "client_context": context.client_context and {
                "custom": context.client_context.custom,
                "app_title": context.client_context.client and context.client_context.client.app_title},
            "identity": context.identity.cognito_identity_id,
            "env": {k: v for k, v in os.environ.items()},
            "task_root_has_code": os.path.isfile(os.path.join(os.environ["LAMBDA_TASK_ROOT"], "app.py")),
            "cwd_is_task_root": os.path.samefile(os.getcwd(), os.environ["LAMBDA_TASK_ROOT"]),
        }
"""


async def test_environment_is_reused_and_init_runs_once(tmp_path: Path, backend: str) -> None:
    project = make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"}},
                           {"src/app.py": CONTEXT_APP})
    events = EventLog()
    async with running(project, backend) as engine:
        engine.subscribe(events)
        results = [await engine.invoke("Fn", b'{"n": %d}' % i) for i in range(3)]
    bodies = [r.json() for r in results]
    assert [b["calls"] for b in bodies] == [1, 2, 3]
    assert len({b["pid"] for b in bodies}) == 1
    assert [r.cold_start for r in results] == [True, False, False]
    assert len(events.of(EnvironmentInitialised)) == 1
    assert bodies[2]["event"] == {"n": 2}


async def test_context_object_and_environment_variables(tmp_path: Path, backend: str) -> None:
    project = make_project(tmp_path, {"Fn": {
        "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11", "MemorySize": 256, "Timeout": 7,
        "FunctionName": "ctx-fn", "Environment": {"Variables": {"GREETING": "hi"}}}}, {"src/app.py": CONTEXT_APP})
    context = "eyJjdXN0b20iOiB7ImsiOiAidiJ9LCAiY2xpZW50IjogeyJhcHBfdGl0bGUiOiAiYXBwIn19"  # base64 JSON
    async with running(project, backend) as engine:
        result = await engine.invoke("ctx-fn", b"{}", client_context=context)
    body = result.json()
    assert result.function_error is None and result.executed_version == "$LATEST"
    assert body["function_name"] == "ctx-fn"
    assert body["function_version"] == "$LATEST"
    assert body["invoked_function_arn"] == ACCOUNT_ARN + "ctx-fn"
    assert body["memory_limit_in_mb"] == "256"
    assert body["aws_request_id"] == result.request_id
    assert body["log_group_name"] == "/aws/lambda/ctx-fn"
    assert re.fullmatch(LOG_STREAM, body["log_stream_name"])
    assert 5000 < body["remaining"] <= 7000
    assert body["client_context"] == {"custom": {"k": "v"}, "app_title": "app"}
    env = body["env"]
    for key, value in {
        "AWS_LAMBDA_FUNCTION_NAME": "ctx-fn", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/ctx-fn",
        "_HANDLER": "app.handler", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "TZ": ":UTC",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand", "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "GREETING": "hi", "LANG": "en_US.UTF-8",
    }.items():
        assert env[key] == value, key
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == body["log_stream_name"]
    assert re.fullmatch(r"127\.0\.0\.1:\d+", env["AWS_LAMBDA_RUNTIME_API"])
    assert body["task_root_has_code"] and body["cwd_is_task_root"]
    assert env["_X_AMZN_TRACE_ID"].startswith("Root=1-")


async def test_tmp_is_private_per_environment_and_survives_reuse(tmp_path: Path, backend: str) -> None:
    app = """
        import os, tempfile, time
        def handler(event, context):
            path = os.path.join(tempfile.gettempdir(), "marker")
            seen = open(path).read() if os.path.exists(path) else None
            with open(path, "w") as f:
                f.write(context.aws_request_id)
            time.sleep(event.get("sleep", 0))
            return {"seen": seen, "tmp": tempfile.gettempdir()}
    """
    project = make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"}},
                           {"src/app.py": app})
    async with running(project, backend) as engine:
        import asyncio

        first, second = await asyncio.gather(engine.invoke("Fn", b'{"sleep": 0.3}'),
                                             engine.invoke("Fn", b'{"sleep": 0.3}'))
        third = await engine.invoke("Fn", b"{}")
        sandboxed = getattr(engine.backend, "sandboxed", False)
    assert first.json()["seen"] is None and second.json()["seen"] is None
    if backend == "process" and not sandboxed:  # private folders; in a sandbox or container, each its own /tmp
        assert first.json()["tmp"] != second.json()["tmp"]
    else:
        assert first.json()["tmp"] == second.json()["tmp"] == "/tmp"
    assert third.json()["seen"] in (first.request_id, second.request_id)


async def test_logs_have_aws_format_and_request_ids(tmp_path: Path, backend: str) -> None:
    app = """
        import logging
        logger = logging.getLogger()
        logger.setLevel(logging.INFO)
        print("init line")
        def handler(event, context):
            print("plain print")
            logger.info("multi\\nline")
            return "ok"
    """
    project = make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                             "MemorySize": 192}}, {"src/app.py": app})
    events = EventLog()
    async with running(project, backend) as engine:
        engine.subscribe(events)
        cold = await engine.invoke("Fn", b"{}")
        warm = await engine.invoke("Fn", b"{}")
        stored = await engine.logs("Fn")
    lines = [e.message for e in events.of(LogLine)]
    assert lines[0].startswith("INIT_START Runtime Version: python:3.11")
    assert "\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:" in lines[0]
    assert lines[1] == "init line"
    rid = cold.request_id
    assert lines[2] == f"START RequestId: {rid} Version: $LATEST"
    assert lines[3] == "plain print"
    assert re.fullmatch(rf"\[INFO\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{rid}\tmulti\rline", lines[4])
    assert lines[5] == f"END RequestId: {rid}"
    report = lines[6]
    assert_cold_report(report, rid, 192)
    duration = float(re.search(r"Duration: (\d+\.\d\d)", report).group(1))  # type: ignore[union-attr]
    init = float(re.search(r"Init Duration: (\d+\.\d\d)", report).group(1))  # type: ignore[union-attr]
    billed = int(re.search(r"Billed Duration: (\d+)", report).group(1))  # type: ignore[union-attr]
    import math
    assert billed == math.ceil(round(duration + init, 2))
    assert 5 <= int(re.search(r"Max Memory Used: (\d+)", report).group(1)) < 192  # type: ignore[union-attr]
    warm_report = next(m for m in lines if m.startswith(f"REPORT RequestId: {warm.request_id}"))
    assert "Init Duration" not in warm_report
    assert warm.log_tail.splitlines()[0] == f"START RequestId: {warm.request_id} Version: $LATEST"
    assert warm.log_tail.splitlines()[-1].startswith(f"REPORT RequestId: {warm.request_id}")
    by_request = {e.request_id for e in events.of(LogLine) if e.message == "plain print"}
    assert by_request == {cold.request_id, warm.request_id}
    assert [s.message for s in stored] == lines
    assert all(s.log_group == "/aws/lambda/Fn" for s in stored)
    assert len({s.log_stream for s in stored}) == 1


async def test_handler_exception_is_an_unhandled_function_error(tmp_path: Path, backend: str) -> None:
    app = """
        def handler(event, context):
            raise ValueError("boom")
    """
    project = make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"}},
                           {"src/app.py": app})
    events = EventLog()
    async with running(project, backend) as engine:
        engine.subscribe(events)
        result = await engine.invoke("Fn", b"{}")
        again = await engine.invoke("Fn", b"{}")
    assert result.status_code == 200 and result.function_error == "Unhandled"
    body = result.json()
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "boom"
    assert body["requestId"] == result.request_id
    assert any('raise ValueError("boom")' in frame for frame in body["stackTrace"])
    logged = [e.message for e in events.of(LogLine) if e.message.startswith("[ERROR]")]
    assert logged[0].startswith("[ERROR] ValueError: boom\rTraceback (most recent call last):")
    assert not again.cold_start  # an error does not reset the environment
    finished = events.of(InvocationFinished)
    assert finished[0].record.status == "error" and finished[0].record.error_type == "ValueError"


async def test_handler_resolution_errors(tmp_path: Path, backend: str) -> None:
    project = make_project(tmp_path, {
        "Missing": {"CodeUri": "src", "Handler": "nope.handler", "Runtime": "python3.11"},
        "NoFunc": {"CodeUri": "src", "Handler": "app.absent", "Runtime": "python3.11"},
        "Syntax": {"CodeUri": "src", "Handler": "broken.handler", "Runtime": "python3.11"},
        "Malformed": {"CodeUri": "src", "Handler": "nodot", "Runtime": "python3.11"},
        "Marshal": {"CodeUri": "src", "Handler": "app.unserialisable", "Runtime": "python3.11"},
        "Nested": {"CodeUri": "src", "Handler": "pkg/sub/mod.handler", "Runtime": "python3.11"},
        "Package": {"CodeUri": "src", "Handler": "pkg.sub.mod.handler", "Runtime": "python3.11"},
    }, {
        "src/app.py": "def unserialisable(event, context):\n    return {1, 2}\n",
        "src/broken.py": "def handler(:\n",
        "src/pkg/__init__.py": "",
        "src/pkg/sub/__init__.py": "",
        "src/pkg/sub/mod.py": "def handler(event, context):\n    return __name__\n",
    })
    async with running(project, backend) as engine:
        missing = (await engine.invoke("Missing")).json()
        no_func = (await engine.invoke("NoFunc")).json()
        syntax = (await engine.invoke("Syntax")).json()
        malformed = (await engine.invoke("Malformed")).json()
        marshal = await engine.invoke("Marshal")
        nested = await engine.invoke("Nested")
        package = await engine.invoke("Package")
    assert missing["errorType"] == "Runtime.ImportModuleError"
    assert missing["errorMessage"] == "Unable to import module 'nope': No module named 'nope'"
    assert no_func == {**no_func, "errorType": "Runtime.HandlerNotFound",
                       "errorMessage": "Handler 'absent' missing on module 'app'"}
    assert syntax["errorType"] == "Runtime.UserCodeSyntaxError"
    assert syntax["errorMessage"].startswith("Syntax error in module 'broken'")
    assert malformed["errorType"] == "Runtime.MalformedHandlerName"
    assert marshal.function_error == "Unhandled"
    assert marshal.json()["errorType"] == "Runtime.MarshalError"
    assert "Unable to marshal response" in marshal.json()["errorMessage"]
    assert nested.json() == "pkg.sub.mod" and package.json() == "pkg.sub.mod"


async def test_init_failure_is_reported_and_retried_on_next_invoke(tmp_path: Path, backend: str) -> None:
    app = """
        import os
        flag = os.path.join(os.environ["LAMBDA_TASK_ROOT"], "..", "..", "..", "..", "fixed")
        if not os.path.exists(os.path.join(os.path.dirname(__file__), "fixed")):
            raise RuntimeError("init broke")
        def handler(event, context):
            return "recovered"
    """
    project = make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"}},
                           {"src/app.py": app})
    events = EventLog()
    async with running(project, backend) as engine:
        engine.subscribe(events)
        failed = await engine.invoke("Fn", b"{}")
        lines = [e.message for e in events.of(LogLine)]
        (tmp_path / "src" / "fixed").write_text("")
        await engine.reload_code("Fn")
        fixed = await engine.invoke("Fn", b"{}")
    assert failed.function_error == "Unhandled"
    assert failed.json()["errorType"] == "RuntimeError" and failed.json()["errorMessage"] == "init broke"
    reports = [line for line in lines if line.startswith("INIT_REPORT")]
    assert len(reports) == 2
    assert re.fullmatch(r"INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\t"
                        r"Error Type: Runtime\.Unknown", reports[0])
    assert "\tPhase: invoke\tStatus: error" in reports[1]
    report = next(line for line in lines if line.startswith("REPORT"))
    assert report.endswith("Status: error\tError Type: Runtime.Unknown")
    assert fixed.json() == "recovered"


async def test_import_error_init_failure_names_the_runtime_error_type(tmp_path: Path, backend: str) -> None:
    project = make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "nope.handler", "Runtime": "python3.11"}},
                           {"src/app.py": "x = 1\n"})
    events = EventLog()
    async with running(project, backend) as engine:
        engine.subscribe(events)
        await engine.invoke("Fn")
        second = await engine.invoke("Fn")
    assert second.json()["errorType"] == "Runtime.ImportModuleError"
    reports = [e.message for e in events.of(LogLine) if e.message.startswith("INIT_REPORT")]
    assert reports[0].endswith("Phase: init\tStatus: error\tError Type: Runtime.ImportModuleError")
    assert json.loads(second.payload)["errorMessage"].startswith("Unable to import module 'nope'")
