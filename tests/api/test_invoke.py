"""Invoke through the API with a real boto3 client: invocation types, logs, client context, qualifiers,
function errors, payload limits and throttles."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ROLE, ServerThread, create_echo, invoke, make_zip
from workbench.backends.process import ProcessBackend

CHATTY = """
def handler(event, context):
    for index in range(event.get("lines", 0)):
        print("line %04d %s" % (index, "x" * 60))
    return "ok"
"""


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    response: dict[str, Any] = excinfo.value.response
    return response


def test_request_response_returns_payload_and_executed_version(client: Any) -> None:
    create_echo(client)
    response = invoke(client, FunctionName="echo", Payload=json.dumps({"a": 1}))
    assert response["StatusCode"] == 200 and response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response and "LogResult" not in response
    body = json.loads(response["Payload"])
    assert body["event"] == {"a": 1} and body["version"] == "$LATEST"
    assert response["ResponseMetadata"]["RequestId"]


def test_function_errors_are_200_with_x_amz_function_error(client: Any) -> None:
    create_echo(client)
    response = invoke(client, FunctionName="echo", Payload=b'{"fail": true}')
    assert response["StatusCode"] == 200 and response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"])
    assert (error["errorType"], error["errorMessage"]) == ("ValueError", "failed on purpose")


def test_log_type_tail_returns_the_last_4_kb_in_base64(client: Any) -> None:
    client.create_function(FunctionName="chatty", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": make_zip({"app.py": CHATTY})})
    short = base64.b64decode(invoke(client, FunctionName="chatty", Payload=b'{"lines": 2}', LogType="Tail")
                             ["LogResult"]).decode()
    assert short.startswith("START RequestId: ") and "line 0001" in short
    assert "\nEND RequestId: " in short and "\nREPORT RequestId: " in short
    long = base64.b64decode(invoke(client, FunctionName="chatty", Payload=b'{"lines": 200}', LogType="Tail")
                            ["LogResult"])
    assert len(long) == 4096
    assert b"line 0199" in long and b"line 0000" not in long and b"REPORT RequestId: " in long


def test_event_invocations_are_accepted_with_202_and_run(client: Any, server: ServerThread) -> None:
    create_echo(client)
    accepted = invoke(client, FunctionName="echo", InvocationType="Event", Payload=b'{"async": true}')
    assert accepted["StatusCode"] == 202 and accepted["Payload"] == b""
    request_id = accepted["ResponseMetadata"]["RequestId"]
    assert server.engine is not None
    deadline = time.monotonic() + 20
    while True:
        logs = server.call(server.engine.logs("echo", request_id=request_id))
        if any(line.message.startswith("REPORT") for line in logs):
            break
        assert time.monotonic() < deadline, "the event did not run"
        time.sleep(0.05)
    assert any('echo {"async": true}' in line.message for line in logs)
    legacy = client.invoke_async(FunctionName="echo", InvokeArgs=b'{"legacy": true}')  # the deprecated InvokeAsync
    assert legacy["Status"] == 202 and legacy["ResponseMetadata"]["HTTPStatusCode"] == 202


def test_dry_run_checks_without_running(client: Any, server: ServerThread) -> None:
    create_echo(client)
    response = invoke(client, FunctionName="echo", InvocationType="DryRun")
    assert response["StatusCode"] == 204
    assert server.engine is not None
    assert server.engine.statistics().functions == () or \
        server.engine.statistics().function("echo").invocations == 0
    with pytest.raises(ClientError) as missing:
        invoke(client, FunctionName="nope", InvocationType="DryRun")
    assert _error(missing)["Error"]["Code"] == "ResourceNotFoundException"


def test_client_context_reaches_the_function(client: Any) -> None:
    create_echo(client)
    context = base64.b64encode(json.dumps({"custom": {"user": "ada"}}).encode()).decode()
    body = json.loads(invoke(client, FunctionName="echo", ClientContext=context)["Payload"])
    assert body["client_context"] == {"user": "ada"}
    with pytest.raises(ClientError) as bad:
        invoke(client, FunctionName="echo", ClientContext="not base64 json!")
    assert _error(bad)["Error"]["Code"] == "InvalidParameterValueException"


def test_qualifiers_and_qualified_names(client: Any) -> None:
    create_echo(client, Publish=True)
    client.update_function_configuration(FunctionName="echo", Description="later")
    by_query = invoke(client, FunctionName="echo", Qualifier="1")
    assert by_query["ExecutedVersion"] == "1"
    assert json.loads(by_query["Payload"])["arn"].endswith(":function:echo:1")
    by_name = invoke(client, FunctionName="arn:aws:lambda:us-east-1:123456789012:function:echo:$LATEST")
    assert by_name["ExecutedVersion"] == "$LATEST"
    with pytest.raises(ClientError) as conflict:
        invoke(client, FunctionName="echo:1", Qualifier="2")
    assert _error(conflict)["Error"]["Code"] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as unknown:
        invoke(client, FunctionName="echo", Qualifier="7")
    assert _error(unknown)["Error"]["Message"] == \
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:echo:7"


def test_payload_limits(client: Any) -> None:
    create_echo(client)
    with pytest.raises(ClientError) as sync_large:
        invoke(client, FunctionName="echo", Payload=json.dumps("x" * (6 * 1024 * 1024)))
    error = _error(sync_large)
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert error["Error"] == {"Code": "RequestTooLargeException", "Message": "Request must be smaller than 6291456 "
                                                                            "bytes for the InvokeFunction operation"}
    with pytest.raises(ClientError) as async_large:
        invoke(client, FunctionName="echo", InvocationType="Event", Payload=json.dumps("x" * (1024 * 1024)))
    assert _error(async_large)["ResponseMetadata"]["HTTPStatusCode"] == 413
    async_ok = invoke(client, FunctionName="echo", InvocationType="Event", Payload=json.dumps("x" * 1_000_000))
    assert async_ok["StatusCode"] == 202
    sync_ok = invoke(client, FunctionName="echo", Payload=json.dumps("x" * 5_000_000))
    assert len(json.loads(sync_ok["Payload"])["event"]) == 5_000_000
    with pytest.raises(ClientError) as not_json:
        invoke(client, FunctionName="echo", Payload=b"{not json")
    assert _error(not_json)["Error"]["Code"] == "InvalidRequestContentException"


def test_throttles_are_429_with_reason(client: Any) -> None:
    create_echo(client)
    client.put_function_concurrency(FunctionName="echo", ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as throttled:
        invoke(client, FunctionName="echo")
    error = _error(throttled)
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Error"] == {"Code": "TooManyRequestsException", "Message": "Rate Exceeded."}
    assert (error["Reason"], error["Type"]) == ("ReservedFunctionConcurrentInvocationLimitExceeded", "User")
    assert isinstance(throttled.value, client.exceptions.TooManyRequestsException)
    client.delete_function_concurrency(FunctionName="echo")
    assert invoke(client, FunctionName="echo")["StatusCode"] == 200


def test_unknown_function(client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as missing:
        invoke(client, FunctionName="doesnotexist")
    assert missing.value.response["Error"]["Message"] == \
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:doesnotexist:$LATEST"


def test_runtimes_the_backend_cannot_run_are_invalid_runtime(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every runtime runs in the process backend now: one that could not is simulated.
    monkeypatch.setattr(ProcessBackend, "unsupported",
                        lambda self, runtime: f"the {runtime.name} runtime is not available in the process backend")
    client.create_function(FunctionName="cs", Runtime="dotnet8", Role=ROLE, Handler="App::App.Handler::Handle",
                           Code={"ZipFile": make_zip({"App.dll": b"MZ"})})
    with pytest.raises(client.exceptions.InvalidRuntimeException) as refused:
        invoke(client, FunctionName="cs")
    error = _error(refused)
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 502
    assert "dotnet8 runtime is not available in the process backend" in error["Message"]


def test_go1x_creation_is_refused_with_aws_message(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidParameterValueException) as refused:
        client.create_function(FunctionName="go", Runtime="go1.x", Role=ROLE, Handler="main",
                               Code={"ZipFile": make_zip({"main": b"binary"})})
    assert refused.value.response["Error"]["Message"] == (
        "The runtime parameter of go1.x is no longer supported for creating or updating AWS Lambda functions. "
        "We recommend you use the new runtime (provided.al2023) while creating or updating functions.")
