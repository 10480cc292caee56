"""The Java runtime against real JVMs: functions built by `workbench build` (Maven) against AWS's real
aws-lambda-java-core and aws-lambda-java-events, run on both backends."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.behaviour import checks
from tests.behaviour.compiled import FUNCTIONS, built_project
from tests.helpers import EventLog, make_project, running, zip_of
from workbench.building import build_project
from workbench.engine import EnvironmentInitialised, LogLine
from workbench.model.project import Project

pytestmark = [pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("javac") is None,
                                 reason="the Java tests need a JDK and Maven"),
              pytest.mark.timeout(600)]  # the first Maven build on a machine fetches AWS's libraries
SOURCES = FUNCTIONS / "java"


def _fn(handler: str, **props: object) -> dict[str, object]:
    return {"CodeUri": "java", "Handler": handler, "Runtime": "java17", **props}


@pytest.fixture(scope="module")
def java_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """One project, built once with `workbench build` for every test of this module (a Maven build is slow)."""
    root = tmp_path_factory.mktemp("java-project")
    project = built_project(root, {"java": SOURCES}, {
        "Hello": _fn("example.Hello", MemorySize=512, Timeout=2, FunctionName="java-hello"),
        "Order": _fn("example.Orders::order", Runtime="java21"),
        "Sqs": _fn("example.Orders::sqs", Runtime="java11"),
        "Api": _fn("example.Orders::api", Runtime="java8.al2"),
        "Upper": _fn("example.Orders::upper"),
        "Twice": _fn("example.Orders::twice"),
        "Fail": _fn("example.Orders::fail"),
        "Layered": _fn("example.Orders::layered"),
        "Stream": _fn("example.Streams"),
        "Missing": _fn("example.Absent::handle"),
    }, up_to_date="Hello")
    assert (root / ".aws-sam" / "build" / "Hello" / "example" / "Hello.class").is_file()
    assert any(path.name.startswith("aws-lambda-java-events") for path in (root / ".aws-sam/build/Hello/lib").iterdir())
    return project


def _layer_jar(tmp_path: Path) -> bytes:
    """A layer holding java/lib/greeting.jar, compiled here with the JDK's own javac and jar."""
    source = tmp_path / "layer-src" / "layer" / "Greeting.java"
    source.parent.mkdir(parents=True)
    source.write_text("package layer;\npublic class Greeting {\n"
                      "  public static String who() { return \"layer\"; }\n}\n")
    classes = tmp_path / "layer-classes"
    subprocess.run(["javac", "--release", "11", "-d", str(classes), str(source)], check=True)
    jar = tmp_path / "greeting.jar"
    subprocess.run(["jar", "cf", str(jar), "-C", str(classes), "."], check=True)
    return zip_of({"java/lib/greeting.jar": jar.read_bytes()})


async def test_request_handler_context_reuse_and_logs(java_project: Project, backend: str) -> None:
    events = EventLog()
    async with running(java_project, backend) as engine:
        engine.subscribe(events)
        first = await engine.invoke("java-hello", b'{"n": 1}', client_context=checks.CLIENT_CONTEXT)
        second = await engine.invoke("java-hello", b'{"n": 2}')
    one, _ = checks.assert_reused(first, second, "initPid")
    assert len([e for e in events.of(EnvironmentInitialised) if e.function == "java-hello"]) == 1
    checks.assert_camel_case_context(one, first, "java-hello", memory=512, timeout_ms=2000)
    lines = [e.message for e in events.of(LogLine) if e.function == "java-hello"]
    version = one["javaVersion"]
    assert lines[0].startswith(f"INIT_START Runtime Version: java:{version}\t")
    assert lines[1] == "init line"
    rid = first.request_id
    assert lines[2:7] == [f"START RequestId: {rid} Version: $LATEST", "from the LambdaLogger", "[WARN] with a level",
                          "plain println", f"END RequestId: {rid}"]
    checks.assert_cold_report(lines[7], rid, 512)


async def test_pojo_events_string_primitive_and_stream_handlers(java_project: Project, backend: str) -> None:
    sqs = (b'{"Records": [{"messageId": "m1", "body": "hi", "eventSource": "aws:sqs", '
           b'"eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", '
           b'"attributes": {"ApproximateReceiveCount": "1"}}]}')
    api = b'{"path": "/orders", "httpMethod": "GET", "queryStringParameters": {"name": "ann"}}'
    async with running(java_project, backend) as engine:
        order = await engine.invoke("Order", b'{"item": "tea", "quantity": 2}')
        from_sqs = await engine.invoke("Sqs", sqs)
        from_api = await engine.invoke("Api", api)
        upper = await engine.invoke("Upper", b'"shout"')
        twice = await engine.invoke("Twice", b"21")
        stream = await engine.invoke("Stream", b'{"raw": "bytes"}')
    assert order.json() == {"summary": "2 x tea", "total": 6}, order.payload
    assert from_sqs.json() == "1:hi:arn:aws:sqs:us-east-1:123456789012:q", from_sqs.payload
    assert from_api.json() == {"statusCode": 201, "headers": {"x-path": "/orders"}, "body": "hello ann"}
    assert upper.json() == "SHOUT" and twice.json() == 42
    assert stream.payload == b'{"RAW": "BYTES"}'


async def test_errors_timeout_and_layer(java_project: Project, backend: str, tmp_path: Path) -> None:
    events = EventLog()
    async with running(java_project, backend) as engine:
        engine.subscribe(events)
        failed = await engine.invoke("Fail", b"{}")
        missing = await engine.invoke("Missing", b"{}")
        await checks.assert_timeout_resets(engine, "java-hello")
        layered = await checks.invoke_with_layer(engine, "Layered", "greeting", _layer_jar(tmp_path), ("java17",))
    assert failed.function_error == "Unhandled"
    error = failed.json()
    assert error["errorType"] == "java.lang.IllegalStateException" and error["errorMessage"] == "boom"
    assert error["stackTrace"][0].startswith("example.Orders.fail(Orders.java:")
    logged = [e.message for e in events.of(LogLine) if e.request_id == failed.request_id]
    assert any(m.startswith("boom: java.lang.IllegalStateException\rjava.lang.IllegalStateException: boom\r\tat ")
               for m in logged)
    assert missing.json()["errorType"] == "java.lang.ClassNotFoundException"
    assert missing.json()["errorMessage"] == "Class not found: example.Absent"
    assert layered.json() == "layer", layered.payload


async def test_build_failure_is_clear_and_keeps_the_previous_build(tmp_path: Path) -> None:
    make_project(tmp_path, {"Broken": _fn("example.Broken")}, {
        "java/pom.xml": (SOURCES / "pom.xml").read_text(),
        "java/src/main/java/example/Broken.java": "package example;\npublic class Broken { int x = ; }\n"})
    with pytest.raises(Exception, match=r"Broken: mvn package.*failed[\s\S]*Broken\.java"):
        build_project(tmp_path / "template.yaml")
    assert not (tmp_path / ".aws-sam" / "build" / "Broken").exists()
    assert [p.name for p in (tmp_path / ".aws-sam" / "build").iterdir() if p.name.startswith(".Broken")] == []
