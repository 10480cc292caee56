"""Custom runtimes: the package's own `bootstrap` talks to the Runtime API, including AWS's awslambdaric."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import EventLog, make_project, python_for, running, vendor_distribution
from workbench.engine.observation.events import LogLine

SHELL_BOOTSTRAP = """\
#!/bin/sh
# A complete custom runtime in shell + curl-free Python one-liners: the Lambda tutorial's loop.
set -eu
cd "$LAMBDA_TASK_ROOT"
exec {python} -u custom_loop.py
"""

CUSTOM_LOOP = """
    import json, os, urllib.request
    api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
    print("custom runtime started", flush=True)
    while True:
        with urllib.request.urlopen(api + "next") as response:
            request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
            event = json.loads(response.read())
        if event.get("fail"):
            body = json.dumps({"errorMessage": "asked to fail", "errorType": "CustomError"}).encode()
            req = urllib.request.Request(api + request_id + "/error", data=body, method="POST",
                                         headers={"Lambda-Runtime-Function-Error-Type": "Function.CustomError"})
        else:
            body = json.dumps({"echo": event, "handler": os.environ["_HANDLER"]}).encode()
            req = urllib.request.Request(api + request_id + "/response", data=body, method="POST")
        urllib.request.urlopen(req).read()
"""

RIC_BOOTSTRAP = """\
#!/bin/sh
exec {python} -m awslambdaric app.handler
"""

RIC_APP = """
    import os
    def handler(event, context):
        print("from awslambdaric")
        return {"ric": True, "event": event, "request_id": context.aws_request_id,
                "function_name": context.function_name}
"""


async def test_shell_bootstrap_custom_runtime(tmp_path: Path, backend: str) -> None:
    project = make_project(tmp_path, {"Custom": {"CodeUri": "src", "Handler": "my.handler",
                                                 "Runtime": "provided.al2023"}},
                           {"src/bootstrap": SHELL_BOOTSTRAP.format(python=python_for(backend)),
                            "src/custom_loop.py": CUSTOM_LOOP})
    events = EventLog()
    async with running(project, backend) as engine:
        engine.subscribe(events)
        ok = await engine.invoke("Custom", b'{"v": 1}')
        failed = await engine.invoke("Custom", b'{"fail": true}')
        warm = await engine.invoke("Custom", b'{"v": 2}')
    assert ok.json() == {"echo": {"v": 1}, "handler": "my.handler"}
    assert failed.function_error == "Unhandled"
    assert failed.json() == {"errorMessage": "asked to fail", "errorType": "CustomError"}
    assert not warm.cold_start
    messages = [e.message for e in events.of(LogLine)]
    assert messages[0].startswith("INIT_START Runtime Version: provided:al2023")
    assert "custom runtime started" in messages


async def test_awslambdaric_runs_unmodified(tmp_path: Path, backend: str) -> None:
    project = make_project(tmp_path, {"Ric": {"CodeUri": "src", "Handler": "app.handler",
                                              "Runtime": "provided.al2"}},
                           {"src/bootstrap": RIC_BOOTSTRAP.format(python=python_for(backend)), "src/app.py": RIC_APP})
    vendor_distribution("awslambdaric", tmp_path / "src")
    events = EventLog()
    async with running(project, backend) as engine:
        engine.subscribe(events)
        first = await engine.invoke("Ric", b'{"hello": "ric"}')
        second = await engine.invoke("Ric", b"{}")
    assert first.function_error is None, first.payload
    assert first.json() == {"ric": True, "event": {"hello": "ric"}, "request_id": first.request_id,
                            "function_name": "Ric"}
    assert not second.cold_start
    assert any("from awslambdaric" in e.message for e in events.of(LogLine))


async def test_missing_or_unexecutable_bootstrap_is_invalid_entrypoint(tmp_path: Path, backend: str) -> None:
    project = make_project(tmp_path, {
        "NoBootstrap": {"CodeUri": "empty", "Handler": "x", "Runtime": "provided.al2023"},
        "NotExecutable": {"CodeUri": "plain", "Handler": "x", "Runtime": "provided"},
    }, {"empty/readme.txt": "nothing here", "plain/bootstrap.txt": ""})
    (tmp_path / "plain" / "bootstrap").write_text("#!/bin/sh\n")
    async with running(project, backend) as engine:
        await engine.reload_code("NotExecutable")
        missing = await engine.invoke("NoBootstrap")
        unexecutable = await engine.invoke("NotExecutable")
    assert missing.function_error == "Unhandled"
    assert missing.json() == {"errorType": "Runtime.InvalidEntrypoint",
                              "errorMessage": "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"}
    assert unexecutable.json()["errorType"] == "Runtime.InvalidEntrypoint"
