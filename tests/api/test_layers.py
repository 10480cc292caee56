"""Layers through the API with a real boto3 client, and their files in real execution environments."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ROLE, create_echo, invoke, make_zip

LAYER_ARN = "arn:aws:lambda:us-east-1:123456789012:layer"

# /opt is WORKBENCH_OPT_DIR in the process backend (the real /opt in containers)
PYTHON_USES_LAYERS = """
import os
import greeting
def handler(event, context):
    with open(os.environ.get("WORKBENCH_OPT_DIR", "/opt") + "/shared.txt") as f:
        shared = f.read()
    return {"greeting": greeting.GREETING, "shared": shared}
"""

NODE_USES_LAYERS = """
const greeting = require("greeting");
const fs = require("fs");
exports.handler = async () => ({greeting: greeting.GREETING,
  shared: fs.readFileSync((process.env.WORKBENCH_OPT_DIR || "/opt") + "/shared.txt", "utf8")});
"""


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def test_layer_version_lifecycle(client: Any) -> None:
    archive = make_zip({"python/util.py": "X = 1\n"})
    first = client.publish_layer_version(LayerName="utils", Content={"ZipFile": archive}, Description="v1",
                                         CompatibleRuntimes=["python3.11", "python3.12"],
                                         CompatibleArchitectures=["x86_64"], LicenseInfo="MIT")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (first["Version"], first["LayerArn"], first["LayerVersionArn"]) == (
        1, f"{LAYER_ARN}:utils", f"{LAYER_ARN}:utils:1")
    assert first["Content"]["CodeSha256"] == base64.b64encode(hashlib.sha256(archive).digest()).decode()
    assert first["Content"]["CodeSize"] == len(archive)
    with urllib.request.urlopen(first["Content"]["Location"], timeout=10) as download:
        assert download.read() == archive
    second = client.publish_layer_version(LayerName=f"{LAYER_ARN}:utils", Content={"ZipFile": archive},
                                          CompatibleRuntimes=["nodejs20.x"])
    assert second["Version"] == 2
    got = client.get_layer_version(LayerName="utils", VersionNumber=1)
    assert (got["Description"], got["LicenseInfo"], got["CompatibleRuntimes"]) == ("v1", "MIT",
                                                                                   ["python3.11", "python3.12"])
    assert client.get_layer_version_by_arn(Arn=f"{LAYER_ARN}:utils:2")["Version"] == 2
    client.publish_layer_version(LayerName="other", Content={"ZipFile": archive})
    layers = client.list_layers()["Layers"]
    assert [(layer["LayerName"], layer["LatestMatchingVersion"]["Version"]) for layer in layers] == [
        ("other", 1), ("utils", 2)]
    assert [layer["LatestMatchingVersion"]["Version"]
            for layer in client.list_layers(CompatibleRuntime="python3.12")["Layers"]] == [1]
    assert [v["Version"] for v in client.list_layer_versions(LayerName="utils")["LayerVersions"]] == [2, 1]
    assert [v["Version"] for v in client.list_layer_versions(LayerName="utils", CompatibleRuntime="python3.11")
            ["LayerVersions"]] == [1]
    assert client.delete_layer_version(LayerName="utils", VersionNumber=2)["ResponseMetadata"][
        "HTTPStatusCode"] == 204
    assert [v["Version"] for v in client.list_layer_versions(LayerName="utils")["LayerVersions"]] == [1]
    with pytest.raises(ClientError) as gone:
        client.get_layer_version(LayerName="utils", VersionNumber=2)
    assert _error(gone) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")
    third = client.publish_layer_version(LayerName="utils", Content={"ZipFile": archive})
    assert third["Version"] == 3  # never reused


def _publish(client: Any, name: str, files: dict[str, str]) -> str:
    arn: str = client.publish_layer_version(LayerName=name, Content={"ZipFile": make_zip(files)})["LayerVersionArn"]
    return arn


def test_python_layers_are_importable_and_later_layers_win(client: Any) -> None:
    base = _publish(client, "base", {"python/greeting.py": "GREETING = 'from base'\n", "shared.txt": "base"})
    override = _publish(client, "override", {"python/greeting.py": "GREETING = 'from override'\n"})
    client.create_function(FunctionName="py", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": make_zip({"app.py": PYTHON_USES_LAYERS})}, Layers=[base, override])
    result = json.loads(invoke(client, FunctionName="py")["Payload"])
    assert result == {"greeting": "from override", "shared": "base"}
    configured = client.get_function_configuration(FunctionName="py")
    assert [layer["Arn"] for layer in configured["Layers"]] == [base, override]
    client.update_function_configuration(FunctionName="py", Layers=[override, base])
    assert json.loads(invoke(client, FunctionName="py")["Payload"])["greeting"] == "from base"


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_node_layers_are_requireable(client: Any) -> None:
    base = _publish(client, "node-base", {"nodejs/node_modules/greeting/index.js": "exports.GREETING = 'base';",
                                          "shared.txt": "base"})
    override = _publish(client, "node-override",
                        {"nodejs/node_modules/greeting/index.js": "exports.GREETING = 'override';",
                         "shared.txt": "override"})
    client.create_function(FunctionName="js", Runtime="nodejs20.x", Role=ROLE, Handler="index.handler",
                           Code={"ZipFile": make_zip({"index.js": NODE_USES_LAYERS})}, Layers=[base, override])
    response = invoke(client, FunctionName="js")
    assert "FunctionError" not in response, response["Payload"]
    assert json.loads(response["Payload"]) == {"greeting": "override", "shared": "override"}


def test_layer_limits_and_deleted_layers(client: Any) -> None:
    arns = [_publish(client, f"l{index}", {f"f{index}.txt": "x"}) for index in range(6)]
    with pytest.raises(ClientError) as too_many:
        create_echo(client, Layers=arns)
    assert _error(too_many)[:2] == (400, "InvalidParameterValueException")
    with pytest.raises(ClientError) as missing:
        create_echo(client, Layers=[f"{LAYER_ARN}:nope:1"])
    assert _error(missing) == (400, "InvalidParameterValueException",
                               f"Layer version {LAYER_ARN}:nope:1 does not exist.")
    create_echo(client, Layers=arns[:5])
    client.delete_layer_version(LayerName="l0", VersionNumber=1)
    assert invoke(client, FunctionName="echo")["StatusCode"] == 200  # still usable by the function that has it
    with pytest.raises(ClientError):
        create_echo(client, "other", Layers=[arns[0]])


def test_code_and_layers_together_stay_within_250_mb_unzipped(client: Any) -> None:
    zeros = make_zip({"python/zeros.bin": b"\0" * (130 * 1024 * 1024)})
    layer = client.publish_layer_version(LayerName="big", Content={"ZipFile": zeros})["LayerVersionArn"]
    with pytest.raises(ClientError) as too_big:
        client.create_function(FunctionName="big", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": make_zip({"app.py": "", "zeros.bin": b"\1" * (130 * 1024 * 1024)})},
                               Layers=[layer])
    status, code, message = _error(too_big)
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith("Function code combined with layers exceeds the maximum allowed size of 262144000 "
                              "bytes. The actual size is")
    with pytest.raises(ClientError):
        client.get_function(FunctionName="big")
