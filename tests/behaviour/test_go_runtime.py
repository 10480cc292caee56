"""Go on provided.al2023 / provided.al2: a `bootstrap` built by `workbench build` (BuildMethod go1.x) with
AWS's real github.com/aws/aws-lambda-go, unmodified; and go1.x refused as AWS refuses it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.behaviour.checks import assert_timeout_resets, invoke_with_layer
from tests.behaviour.compiled import FUNCTIONS, built_project
from tests.helpers import EventLog, make_project, running, zip_of
from workbench.engine import InvalidParameterValueError, LogLine
from workbench.model.project import Project

pytestmark = [pytest.mark.skipif(shutil.which("go") is None, reason="the Go tests need Go"),
              pytest.mark.timeout(600)]  # the first build on a machine fetches aws-lambda-go from the module proxy
SOURCES = FUNCTIONS / "go"


def _fn(handler: str, **props: object) -> dict[str, object]:
    return {"CodeUri": "go", "Handler": handler, "Runtime": "provided.al2023", **props}


@pytest.fixture(scope="module")
def go_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("go-project")
    project = built_project(root, {"go": SOURCES}, {
        "Greet": _fn("greet", Timeout=2, MemorySize=256),
        "Sqs": _fn("sqs", Runtime="provided.al2"),
        "Fail": _fn("fail"),
        "FromLayer": {"CodeUri": "empty", "Handler": "greet", "Runtime": "provided.al2023"},
    }, up_to_date="Greet", files={"empty/readme.txt": "the bootstrap comes from a layer"},
        # SAM's convention: Metadata.BuildMethod go1.x on each Go function.
        metadata={name: {"BuildMethod": "go1.x"} for name in ("Greet", "Sqs", "Fail")})
    assert (root / ".aws-sam/build/Greet/bootstrap").stat().st_mode & 0o111
    return project


async def test_struct_handler_context_reuse_and_logs(go_project: Project, backend: str) -> None:
    events = EventLog()
    async with running(go_project, backend) as engine:
        engine.subscribe(events)
        first = await engine.invoke("Greet", b'{"name": "go"}')
        second = await engine.invoke("Greet", b'{"name": "again"}')
    assert first.function_error is None, first.payload
    one, two = first.json(), second.json()
    assert one["greeting"] == "hello go" and [one["calls"], two["calls"]] == [1, 2]
    assert one["pid"] == two["pid"] == one["initPid"] and not second.cold_start
    assert one["requestId"] == first.request_id and one["functionName"] == "Greet" and one["memory"] == 256
    assert one["functionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:Greet"
    assert one["logGroup"] == "/aws/lambda/Greet" and 0 < one["remainingMs"] <= 2000
    lines = [e.message for e in events.of(LogLine) if e.request_id == first.request_id]
    assert re.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d greeting go", lines[1]), lines
    assert "plain output" in lines and lines[-1].startswith(f"REPORT RequestId: {first.request_id}\t")
    init = next(e.message for e in events.of(LogLine) if e.message.startswith("INIT_START"))
    assert init.startswith("INIT_START Runtime Version: provided:al2023")


async def test_events_errors_timeouts_and_a_layer_bootstrap(go_project: Project, backend: str) -> None:
    sqs = b'{"Records": [{"messageId": "1", "body": "hi", "eventSourceARN": "arn:aws:sqs:us-east-1:1:q"}]}'
    bootstrap = (go_project.root / ".aws-sam/build/Greet/bootstrap").read_bytes()
    async with running(go_project, backend) as engine:
        from_sqs = await engine.invoke("Sqs", sqs)
        failed = await engine.invoke("Fail", b"{}")
        await assert_timeout_resets(engine, "Greet")
        layered = await invoke_with_layer(engine, "FromLayer", "go-runtime", zip_of(
            {"bootstrap": bootstrap}, {"bootstrap": 0o100755}), payload=b'{"name": "layer"}')
    assert from_sqs.json() == "1:hi:arn:aws:sqs:us-east-1:1:q"
    assert failed.function_error == "Unhandled"
    assert failed.json() == {"errorMessage": "go went wrong", "errorType": "errorString"}
    assert layered.json()["greeting"] == "hello layer", layered.payload


async def test_go1x_is_refused_with_aws_message(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"Ok": _fn("greet")}, {"go/main.go": "package main\n"})
    message = ("The runtime parameter of go1.x is no longer supported for creating or updating AWS Lambda functions. "
               "We recommend you use the new runtime (provided.al2023) while creating or updating functions.")
    async with running(project) as engine:
        with pytest.raises(InvalidParameterValueError) as caught:
            await engine.update_function_configuration("Ok", runtime="go1.x")
    assert message in str(caught.value)
