"""Functions through the API with a real boto3 client: create, read, list (paging), update, delete, waiters."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ECHO_ZIP, PYTHON_ECHO, ROLE, ServerThread, create_echo, invoke, make_zip


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def test_create_reports_pending_then_waiters_see_it_active(client: Any) -> None:
    created = create_echo(client, Description="first", MemorySize=256, Timeout=5,
                          Environment={"Variables": {"GREETING": "hi"}})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["State"] == "Pending" and created["StateReasonCode"] == "Creating"
    assert "LastUpdateStatus" not in created
    assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:echo"
    assert (created["Version"], created["MemorySize"], created["Timeout"]) == ("$LATEST", 256, 5)
    assert created["Environment"] == {"Variables": {"GREETING": "hi"}}
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(ECHO_ZIP).digest()).decode()
    assert created["CodeSize"] == len(ECHO_ZIP)
    for waiter in ("function_exists", "function_active_v2", "function_active", "function_updated_v2",
                   "function_updated"):
        client.get_waiter(waiter).wait(FunctionName="echo", WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    configuration = client.get_function_configuration(FunctionName="echo")
    assert (configuration["State"], configuration["LastUpdateStatus"]) == ("Active", "Successful")
    assert configuration["RevisionId"] == created["RevisionId"]


def test_get_function_serves_the_package_it_was_given(client: Any) -> None:
    create_echo(client)
    function = client.get_function(FunctionName="arn:aws:lambda:us-east-1:123456789012:function:echo")
    assert function["Configuration"]["FunctionName"] == "echo"
    assert function["Code"]["RepositoryType"] == "S3"
    with urllib.request.urlopen(function["Code"]["Location"], timeout=10) as download:
        assert download.read() == ECHO_ZIP
    assert "Concurrency" not in function
    client.put_function_concurrency(FunctionName="echo", ReservedConcurrentExecutions=3)
    assert client.get_function(FunctionName="echo")["Concurrency"] == {"ReservedConcurrentExecutions": 3}


def test_list_functions_pages_with_marker_and_max_items(client: Any) -> None:
    names = [f"fn-{index:02d}" for index in range(7)]
    for name in reversed(names):
        create_echo(client, name)
    first = client.list_functions(MaxItems=3)
    assert [f["FunctionName"] for f in first["Functions"]] == names[:3]
    assert "State" not in first["Functions"][0]  # listings leave the state members out, as AWS does
    second = client.list_functions(MaxItems=3, Marker=first["NextMarker"])
    assert [f["FunctionName"] for f in second["Functions"]] == names[3:6]
    client.delete_function(FunctionName="fn-06")
    third = client.list_functions(MaxItems=3, Marker=second["NextMarker"])
    assert third["Functions"] == [] and "NextMarker" not in third
    paginated = [f["FunctionName"] for page in client.get_paginator("list_functions").paginate(
        PaginationConfig={"PageSize": 2}) for f in page["Functions"]]
    assert paginated == names[:6]


def test_list_functions_with_all_versions(client: Any) -> None:
    create_echo(client, "a", Publish=True)
    create_echo(client, "b")
    listed = client.list_functions(FunctionVersion="ALL")["Functions"]
    assert [(f["FunctionName"], f["Version"]) for f in listed] == [("a", "$LATEST"), ("a", "1"), ("b", "$LATEST")]
    assert listed[1]["FunctionArn"].endswith(":function:a:1")


def test_update_code_and_configuration(client: Any) -> None:
    created = create_echo(client)
    new_zip = make_zip({"app.py": PYTHON_ECHO.replace('"echo"', '"echo v2"'), "extra.txt": "x"})
    dry_run = client.update_function_code(FunctionName="echo", ZipFile=new_zip, DryRun=True)
    assert (dry_run["CodeSha256"], dry_run["RevisionId"]) == (created["CodeSha256"], created["RevisionId"])
    updated = client.update_function_code(FunctionName="echo", ZipFile=new_zip)
    assert updated["LastUpdateStatus"] == "InProgress" and updated["State"] == "Active"
    assert updated["CodeSha256"] == base64.b64encode(hashlib.sha256(new_zip).digest()).decode()
    assert updated["RevisionId"] != created["RevisionId"]
    client.get_waiter("function_updated_v2").wait(FunctionName="echo", WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    log = base64.b64decode(invoke(client, FunctionName="echo", LogType="Tail")["LogResult"]).decode()
    assert "echo v2" in log
    configured = client.update_function_configuration(
        FunctionName="echo", MemorySize=512, Timeout=10, Description="changed", Environment={"Variables": {"AB": "1"}},
        TracingConfig={"Mode": "Active"}, EphemeralStorage={"Size": 1024}, Runtime="python3.12")
    assert (configured["MemorySize"], configured["Timeout"], configured["Description"]) == (512, 10, "changed")
    assert configured["TracingConfig"] == {"Mode": "Active"} and configured["EphemeralStorage"] == {"Size": 1024}
    assert configured["Runtime"] == "python3.12" and configured["Environment"] == {"Variables": {"AB": "1"}}
    assert configured["CodeSha256"] == updated["CodeSha256"]
    with pytest.raises(ClientError) as stale:
        client.update_function_configuration(FunctionName="echo", Description="x", RevisionId=created["RevisionId"])
    assert _error(stale)[:2] == (412, "PreconditionFailedException")
    client.update_function_configuration(FunctionName="echo", Description="y", RevisionId=configured["RevisionId"])


def test_update_code_with_publish_returns_the_new_version(client: Any) -> None:
    create_echo(client)
    published = client.update_function_code(FunctionName="echo", ZipFile=make_zip({"app.py": PYTHON_ECHO + "\n"}),
                                             Publish=True)
    assert published["Version"] == "1"
    assert json.loads(invoke(client, FunctionName="echo", Qualifier="1")["Payload"])["version"] == "1"


def test_delete_function_and_versions(client: Any) -> None:
    create_echo(client, Publish=True)
    client.update_function_configuration(FunctionName="echo", Description="two")
    client.publish_version(FunctionName="echo")
    deleted_version = client.delete_function(FunctionName="echo", Qualifier="1")
    assert deleted_version["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert [v["Version"] for v in client.list_versions_by_function(FunctionName="echo")["Versions"]] == ["$LATEST", "2"]
    with pytest.raises(ClientError) as latest:
        client.delete_function(FunctionName="echo", Qualifier="$LATEST")
    assert _error(latest)[:2] == (400, "InvalidParameterValueException")
    assert client.delete_function(FunctionName="echo")["StatusCode"] == 204
    with pytest.raises(ClientError) as gone:
        client.get_function(FunctionName="echo")
    assert _error(gone) == (404, "ResourceNotFoundException",
                            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:echo")


def test_create_errors(client: Any) -> None:
    create_echo(client)
    with pytest.raises(ClientError) as exists:
        create_echo(client)
    assert _error(exists) == (409, "ResourceConflictException", "Function already exist: echo")
    with pytest.raises(ClientError) as runtime:
        client.create_function(FunctionName="x", Runtime="python2.9", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": ECHO_ZIP})
    status, code, message = _error(runtime)
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith("Value python2.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum")
    with pytest.raises(ClientError) as role:
        client.create_function(FunctionName="x", Runtime="python3.11", Role="r1", Handler="app.handler",
                               Code={"ZipFile": ECHO_ZIP})
    assert _error(role)[:2] == (400, "ValidationException")
    assert "Value 'r1' at 'role' failed to satisfy constraint" in _error(role)[2]
    with pytest.raises(ClientError) as memory:
        client.create_function(FunctionName="x", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": ECHO_ZIP}, MemorySize=20480)
    assert _error(memory) == (400, "InvalidParameterValueException",
                              "MemorySize: must be between 128 and 10240 (got 20480)")
    with pytest.raises(ClientError) as s3:
        client.create_function(FunctionName="x", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                               Code={"S3Bucket": "bucket", "S3Key": "key.zip"})
    assert _error(s3)[:2] == (400, "InvalidParameterValueException") and "ZipFile" in _error(s3)[2]
    assert [f["FunctionName"] for f in client.list_functions()["Functions"]] == ["echo"]


@pytest.mark.parametrize(("files", "links", "expected"), [
    ({"../evil.py": "x"}, None, "escapes the package"),
    ({"/abs.py": "x"}, None, "has an absolute path"),
    ({"app.py": "x"}, {"link": "../../etc/passwd"}, "points outside the package"),
])
def test_packages_that_escape_their_folder_are_rejected(client: Any, files: dict[str, str],
                                                        links: dict[str, str] | None, expected: str) -> None:
    with pytest.raises(ClientError) as rejected:
        client.create_function(FunctionName="bad", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": make_zip(files, links)})
    status, code, message = _error(rejected)
    assert (status, code) == (400, "InvalidParameterValueException") and expected in message
    with pytest.raises(ClientError):
        client.get_function(FunctionName="bad")


def test_not_a_zip_and_oversized_packages(client: Any) -> None:
    with pytest.raises(ClientError) as not_zip:
        client.create_function(FunctionName="bad", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": b"not a zip"})
    assert _error(not_zip)[:2] == (400, "InvalidParameterValueException")
    assert _error(not_zip)[2].startswith("Could not unzip uploaded file. Please check your file, then try to upload")
    bomb = make_zip({"app.py": PYTHON_ECHO, "zeros.bin": b"\0" * (251 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ClientError) as too_big:
        client.create_function(FunctionName="bad", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": bomb})
    assert _error(too_big)[:2] == (400, "InvalidParameterValueException")
    assert "Unzipped size must be smaller than 262144000 bytes" in _error(too_big)[2]


def test_runtime_version_arn_is_the_one_init_start_reports(client: Any, server: ServerThread) -> None:
    create_echo(client)
    invoke(client, FunctionName="echo")
    assert server.engine is not None
    init_start = [line.message for line in server.call(server.engine.logs("echo"))
                  if line.message.startswith("INIT_START")]
    arn = client.get_function_configuration(FunctionName="echo")["RuntimeVersionConfig"]["RuntimeVersionArn"]
    assert len(init_start) == 1 and init_start[0].endswith(f"Runtime Version ARN: {arn}")
