"""The .NET runtime on Mono: C# functions built by `workbench build` (mcs, against the workbench's
Amazon.Lambda.Core and DefaultLambdaJsonSerializer), run on both backends."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.behaviour import checks
from tests.behaviour.compiled import FUNCTIONS, built_project
from tests.helpers import EventLog, make_project, running, zip_of
from workbench.building import BuildError, build_project
from workbench.engine import EnvironmentInitialised, LogLine
from workbench.model.project import Project

pytestmark = [pytest.mark.skipif(shutil.which("mcs") is None or shutil.which("mono") is None,
                                 reason="the .NET tests need Mono (mcs and mono)"),
              pytest.mark.timeout(300)]
#: A log record of the .NET runtime: time, request id, level, message.
RECORD = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\t([^\t]*)\t(?:(trce|dbug|info|warn|fail|crit)\t)?(.*)",
                    re.DOTALL)


def _fn(handler: str, **props: object) -> dict[str, object]:
    return {"CodeUri": "dotnet", "Handler": f"Functions::Example.{handler}", "Runtime": "dotnet8", **props}


@pytest.fixture(scope="module")
def dotnet_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """One project, built once with `workbench build` for every test of this module."""
    root = tmp_path_factory.mktemp("dotnet-project")
    project = built_project(root, {"dotnet": FUNCTIONS / "dotnet", "dotnet-raw": FUNCTIONS / "dotnet-raw"}, {
        "Hello": _fn("Hello::Handle", MemorySize=256, Timeout=2, FunctionName="cs-hello"),
        "Place": _fn("Orders::Place", Runtime="dotnet6"),
        "Upper": _fn("Orders::Upper"),
        "Twice": _fn("Orders::Twice"),
        "Shout": _fn("Orders::Shout"),
        "Nothing": _fn("Orders::Nothing"),
        "Fail": _fn("Orders::Fail"),
        "FailLater": _fn("Orders::FailLater"),
        "Layered": _fn("Orders::Layered"),
        "Camel": _fn("CamelCase::Handle"),
        "Absent": _fn("Absent::Handle"),
        "Echo": {"CodeUri": "dotnet-raw", "Handler": "Raw::Raw.Functions::Echo", "Runtime": "dotnet8"},
        "Poco": {"CodeUri": "dotnet-raw", "Handler": "Raw::Raw.Functions::Poco", "Runtime": "dotnet8"},
    }, up_to_date="Hello")
    assert (root / ".aws-sam" / "build" / "Hello" / "Functions.dll").is_file()
    assert not (root / ".aws-sam" / "build" / "Hello" / "Amazon.Lambda.Core.dll").exists()
    return project


def _records(events: EventLog, function: str) -> list[str]:
    return [e.message for e in events.of(LogLine) if e.function == function]


async def test_context_init_reuse_and_log_formats(dotnet_project: Project, backend: str) -> None:
    events = EventLog()
    async with running(dotnet_project, backend) as engine:
        engine.subscribe(events)
        first = await engine.invoke("cs-hello", b'{"n": 1}', client_context=checks.CLIENT_CONTEXT)
        second = await engine.invoke("cs-hello", b'{"n": 2}')
    one, two = checks.assert_reused(first, second, "initPid")
    assert len([e for e in events.of(EnvironmentInitialised) if e.function == "cs-hello"]) == 1
    checks.assert_camel_case_context(one, first, "cs-hello", memory=256, timeout_ms=2000)
    assert "custom" not in two and one["traceId"].startswith("Root=1-")

    lines = _records(events, "cs-hello")
    assert re.fullmatch(r"INIT_START Runtime Version: dotnet:\d+\.\d+\.\d+(\.\d+)?\tRuntime Version ARN: .*",
                        lines[0]), lines[0]
    init = RECORD.fullmatch(lines[1])
    assert init is not None and init.group(2, 3, 4) == ("", "info", "init line")
    rid = first.request_id
    assert lines[2] == f"START RequestId: {rid} Version: $LATEST"
    parsed = [RECORD.fullmatch(line) for line in lines[3:8]]
    assert all(match is not None for match in parsed), lines[3:8]
    assert [m.group(2, 3, 4) for m in parsed if m is not None] == [
        (rid, "info", "from the context's logger"), (rid, "warn", "with a level"), (rid, "info", "plain WriteLine"),
        (rid, None, "from LambdaLogger"), (rid, "fail", "to stderr\rsecond line")]
    assert lines[8] == f"END RequestId: {rid}"
    checks.assert_cold_report(lines[9], rid, 256)


async def test_poco_primitive_async_and_stream_handlers(dotnet_project: Project, backend: str) -> None:
    async with running(dotnet_project, backend) as engine:
        placed = await engine.invoke("Place", b'{"item": "tea", "QUANTITY": 2, "price": 2.50, "tags": ["hot"], '
                                              b'"extras": {"wrap": 1}, "unknown": [1, {"a": null}]}')
        upper = await engine.invoke("Upper", b'"shout"')
        twice = await engine.invoke("Twice", b"21")
        shout = await engine.invoke("Shout", b'{"raw": "bytes"}')
        nothing = await engine.invoke("Nothing", b"{}")
        camel = await engine.invoke("Camel", b'{"Item": "x"}')
        echo = await engine.invoke("Echo", b"[1, 2]")
    assert placed.function_error is None, placed.payload
    # Names as declared ([JsonPropertyName] wins), nulls and [JsonIgnore] left out, enums as numbers.
    assert placed.payload == (b'{"Summary":"2 x tea","Total":6.00,"when":"2024-01-02T03:04:05Z","State":1,'
                              b'"Tags":["hot"]}')
    assert upper.json() == "SHOUT" and twice.json() == 42
    assert shout.payload == b'{"RAW": "BYTES"}'
    assert nothing.function_error is None and nothing.payload == b""
    assert camel.json() == {"summary": "x", "total": 1.5, "when": "0001-01-01T00:00:00", "state": 0}
    assert echo.payload == b"Echo:[1, 2]"


async def test_errors_timeout_and_layer(dotnet_project: Project, backend: str, tmp_path: Path) -> None:
    events = EventLog()
    async with running(dotnet_project, backend) as engine:
        engine.subscribe(events)
        failed = await engine.invoke("Fail", b"{}")
        failed_later = await engine.invoke("FailLater", b"{}")
        bad_event = await engine.invoke("Place", b'{"quantity": "two"}')
        absent = await engine.invoke("Absent", b"{}")
        poco = await engine.invoke("Poco", b'{"x": 1}')
        await checks.assert_timeout_resets(engine, "cs-hello")
        layered = await checks.invoke_with_layer(engine, "Layered", "greeting", _layer_zip(tmp_path), ("dotnet8",))
    assert failed.function_error == "Unhandled"
    error = failed.json()
    assert error["errorType"] == "InvalidOperationException" and error["errorMessage"] == "boom"
    assert error["stackTrace"][0].startswith("at Example.Orders.Check (Example.Order order)")
    assert error["cause"]["errorType"] == "ArgumentException" and error["cause"]["errorMessage"] == "the cause"
    logged = [RECORD.fullmatch(m) for m in _records(events, "Fail")]
    assert any(m is not None and m.group(2, 3) == (failed.request_id, "fail")
               and m.group(4).startswith("System.InvalidOperationException: boom ---> System.ArgumentException: the "
                                         "cause\r") for m in logged)
    later = failed_later.json()
    assert later["errorType"] == "ArgumentOutOfRangeException" and later["errorMessage"].startswith("async boom")
    assert bad_event.json()["errorType"] == "JsonSerializerException"
    assert bad_event.json()["errorMessage"].startswith(
        "Error converting the Lambda event JSON payload to type Example.Order: The JSON value could not be converted "
        "to System.Int32. Path: $.quantity")
    assert absent.json() == {"errorType": "LambdaValidationException",
                             "errorMessage": "Unable to load type 'Example.Absent' from assembly 'Functions'."}
    assert poco.json()["errorType"] == "LambdaValidationException"
    assert poco.json()["errorMessage"].startswith("Could not find the LambdaSerializerAttribute on the assembly 'Raw, ")
    assert layered.json() == "layer", layered.payload


def _layer_zip(tmp_path: Path) -> bytes:
    """A layer holding Greeting.dll at its top (/opt/Greeting.dll), compiled here with mcs."""
    source = tmp_path / "Greeting.cs"
    source.write_text('namespace Layer { public static class Greeting {\n'
                      '  public static string Who() { return "layer"; }\n} }\n')
    subprocess.run(["mcs", "-target:library", f"-out:{tmp_path / 'Greeting.dll'}", str(source)], check=True)
    return zip_of({"Greeting.dll": (tmp_path / "Greeting.dll").read_bytes()})


def test_build_failure_is_clear_and_keeps_nothing_half_built(tmp_path: Path) -> None:
    make_project(tmp_path, {"Broken": {"CodeUri": "src", "Handler": "Broken::Broken.Fn::Handle", "Runtime": "dotnet8"}},
                 {"src/Broken.cs": "namespace Broken { public class Fn { int x = ; } }\n"})
    with pytest.raises(BuildError, match=r"Broken: mcs: .*failed[\s\S]*Broken\.cs\(1,\d+\): error CS1525"):
        build_project(tmp_path / "template.yaml")
    assert not (tmp_path / ".aws-sam" / "build" / "Broken").exists()


def test_handler_without_an_assembly_is_refused_at_build(tmp_path: Path) -> None:
    make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "Fn.Handle", "Runtime": "dotnet8"}},
                 {"src/Fn.cs": "public class Fn { public static void Handle() {} }\n"})
    with pytest.raises(BuildError, match=r"Fn: the handler 'Fn.Handle' is not Assembly::Namespace.Class::Method"):
        build_project(tmp_path / "template.yaml")
