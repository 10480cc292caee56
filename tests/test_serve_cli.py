"""`workbench serve` and the control-plane commands, run as real subprocesses, with real boto3 clients."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import ECHO_ZIP, create_echo, invoke, lambda_client, make_zip
from tests.helpers import make_project

TEMPLATE_APP = """
def handler(event, context):
    return {"from": "template", "version": context.function_version}
"""


def _workbench(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workbench", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=90, check=False)


class Serve:
    """A `workbench serve` subprocess; its URL is read from the line it prints when ready."""

    def __init__(self, *args: str, cwd: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "workbench", "serve", *args], cwd=cwd,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        match = re.search(r"Lambda API at (http://127\.0\.0\.1:\d+)", line)
        if match is None:
            self.process.kill()
            raise AssertionError(f"serve did not start: {line!r} {self.process.communicate()[1]}")
        self.url = match[1]
        self.banner = line

    def stop(self) -> str:
        self.process.send_signal(signal.SIGINT)
        _, errors = self.process.communicate(timeout=30)
        assert self.process.returncode == 0, errors
        return errors


@pytest.fixture
def project(tmp_path: Path) -> Path:
    make_project(tmp_path, {"FromTemplate": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                             "FunctionName": "from-template"}}, {"src/app.py": TEMPLATE_APP})
    return tmp_path


@pytest.fixture
def served(project: Path) -> Iterator[Serve]:
    server = Serve("--project", str(project), cwd=project.parent)
    yield server
    if server.process.poll() is None:
        server.stop()


def test_api_created_resources_survive_a_restart(project: Path, served: Serve) -> None:
    assert "from-template" in served.banner
    client = lambda_client(served.url)
    assert [f["FunctionName"] for f in client.list_functions()["Functions"]] == ["from-template"]
    assert json.loads(invoke(client, FunctionName="from-template")["Payload"]) == {"from": "template",
                                                                                 "version": "$LATEST"}
    layer = client.publish_layer_version(LayerName="lib", Content={"ZipFile": make_zip({"python/lib.py": "X=1"})})
    create_echo(client, Layers=[layer["LayerVersionArn"]], Environment={"Variables": {"STAGE": "one"}})
    client.publish_version(FunctionName="echo")
    client.create_alias(FunctionName="echo", Name="live", FunctionVersion="1")
    client.put_function_concurrency(FunctionName="echo", ReservedConcurrentExecutions=7)
    client.update_function_configuration(FunctionName="echo", Environment={"Variables": {"STAGE": "two"}})
    client.publish_version(FunctionName="from-template")  # versions and aliases of a template function are kept,
    client.create_alias(FunctionName="from-template", Name="stable", FunctionVersion="1")
    client.update_function_configuration(FunctionName="from-template", Description="changed through the API")
    client.close()
    served.stop()

    again = Serve("--project", str(project), cwd=project)
    try:
        client = lambda_client(again.url)
        assert [f["FunctionName"] for f in client.list_functions()["Functions"]] == ["echo", "from-template"]
        assert client.get_alias(FunctionName="echo", Name="live")["FunctionVersion"] == "1"
        assert client.get_function_concurrency(FunctionName="echo")["ReservedConcurrentExecutions"] == 7
        assert client.get_function_configuration(FunctionName="echo")["Environment"]["Variables"]["STAGE"] == "two"
        assert client.get_function_configuration(FunctionName="echo", Qualifier="live")["Layers"][0]["Arn"] == \
            layer["LayerVersionArn"]
        live = invoke(client, FunctionName="echo", Qualifier="live")
        assert live["ExecutedVersion"] == "1" and json.loads(live["Payload"])["version"] == "1"
        assert client.publish_version(FunctionName="echo")["Version"] == "2"  # $LATEST changed before the restart
        assert client.list_layers()["Layers"][0]["LatestMatchingVersion"]["Version"] == 1
        template_function = client.get_function_configuration(FunctionName="from-template")
        assert template_function["Description"] == ""  # ... its configuration is the template's again
        assert invoke(client, FunctionName="from-template:stable")["ExecutedVersion"] == "1"
        client.close()
    finally:
        again.stop()


def test_serve_refuses_a_second_server_and_a_busy_port(project: Path, served: Serve, tmp_path: Path) -> None:
    second = _workbench("serve", "--project", str(project), cwd=project)
    assert second.returncode == 2 and f"already served at {served.url}" in second.stderr
    port = served.url.rsplit(":", 1)[1]
    other = tmp_path / "other"
    other.mkdir()
    busy = _workbench("serve", "--project", str(other), "--port", port, cwd=other)
    assert busy.returncode == 2 and f"port {port} is in use" in busy.stderr


def test_control_commands_go_through_a_running_server(project: Path, served: Serve) -> None:
    (project / "fn.zip").write_bytes(ECHO_ZIP)
    deployed = _workbench("deploy", "fn.zip", "--name", "cli-fn", "--runtime", "python3.11", "--handler",
                          "app.handler", cwd=project)
    assert deployed.returncode == 0, deployed.stderr
    assert f"sending this to the server at {served.url}" in deployed.stderr
    client = lambda_client(served.url)
    assert client.get_function(FunctionName="cli-fn")["Configuration"]["Handler"] == "app.handler"
    client.close()


def test_control_commands_without_a_server(tmp_path: Path) -> None:
    (tmp_path / "fn.zip").write_bytes(ECHO_ZIP)
    deployed = _workbench("deploy", "fn.zip", "--name", "fn", "--runtime", "python3.11", "--handler",
                          "app.handler", "--memory-size", "256", "--env", "STAGE=one", cwd=tmp_path)
    assert deployed.returncode == 0, deployed.stderr
    assert json.loads(deployed.stdout)["MemorySize"] == 256
    again = _workbench("deploy", "fn.zip", "--name", "fn", "--runtime", "python3.11", "--handler", "app.handler",
                       cwd=tmp_path)
    assert again.returncode == 2 and "use --update" in again.stderr
    (tmp_path / "fn2.zip").write_bytes(make_zip({"app.py": "def handler(e, c):\n    return 'two'\n"}))
    updated = _workbench("deploy", "fn2.zip", "--name", "fn", "--update", "--env", "STAGE=two", cwd=tmp_path)
    assert updated.returncode == 0, updated.stderr
    published = _workbench("publish-version", "fn", "--description", "second", cwd=tmp_path)
    assert json.loads(published.stdout)["Version"] == "1", published.stderr
    created = _workbench("alias", "create", "fn", "live", "--version", "1", cwd=tmp_path)
    assert json.loads(created.stdout)["AliasArn"].endswith(":function:fn:live"), created.stderr
    invoked = _workbench("invoke", "fn:live", cwd=tmp_path)
    assert invoked.returncode == 0 and json.loads(invoked.stdout) == "two", invoked.stderr
    listed = json.loads(_workbench("alias", "list", "fn", cwd=tmp_path).stdout)
    assert [alias["Name"] for alias in listed["Aliases"]] == ["live"]
    bad_routing = _workbench("alias", "update", "fn", "live", "--routing", "2=0.5", cwd=tmp_path)
    assert bad_routing.returncode == 2 and "ResourceNotFoundException" in bad_routing.stderr
    assert _workbench("alias", "delete", "fn", "live", cwd=tmp_path).returncode == 0
    package = _workbench("package", "fn", "--qualifier", "1", "-o", "out.zip", cwd=tmp_path)
    assert package.returncode == 0, package.stderr
    exported = (tmp_path / "out.zip").read_bytes()
    assert exported == (tmp_path / "fn2.zip").read_bytes()
    expected_sha = base64.b64encode(hashlib.sha256(exported).digest()).decode()
    assert package.stdout.split("CodeSha256 ")[1].strip() == expected_sha


def test_layers_command_and_folder_content(tmp_path: Path) -> None:
    (tmp_path / "layer" / "python").mkdir(parents=True)
    (tmp_path / "layer" / "python" / "helper.py").write_text("VALUE = 42\n")
    published = _workbench("layers", "publish", "helpers", "layer", "--runtime", "python3.11", "--description",
                           "shared code", "--project", str(tmp_path), cwd=tmp_path.parent)
    assert published.returncode == 2 and "no template.yaml" in published.stderr  # nothing here yet to add it to
    (tmp_path / "fn.zip").write_bytes(make_zip({"app.py": "import helper\ndef handler(e, c):\n"
                                                          "    return helper.VALUE\n"}))
    assert _workbench("deploy", "fn.zip", "--name", "fn", "--runtime", "python3.11", "--handler", "app.handler",
                      cwd=tmp_path).returncode == 0
    published = _workbench("layers", "publish", "helpers", "layer", "--runtime", "python3.11", cwd=tmp_path)
    assert published.returncode == 0, published.stderr
    layer: dict[str, Any] = json.loads(published.stdout)
    assert (layer["Version"], layer["CompatibleRuntimes"]) == (1, ["python3.11"])
    listed = json.loads(_workbench("layers", "list", cwd=tmp_path).stdout)
    assert [entry["LayerName"] for entry in listed["Layers"]] == ["helpers"]
    versions = json.loads(_workbench("layers", "list", "helpers", cwd=tmp_path).stdout)
    assert [entry["Version"] for entry in versions["LayerVersions"]] == [1]
    assert _workbench("deploy", "fn.zip", "--name", "fn", "--update", "--layer", layer["LayerVersionArn"],
                      cwd=tmp_path).returncode == 0
    assert json.loads(_workbench("invoke", "fn", cwd=tmp_path).stdout) == 42
    deleted = _workbench("layers", "delete", "helpers", "1", cwd=tmp_path)
    assert deleted.returncode == 0 and "deleted layer version helpers:1" in deleted.stdout
    assert json.loads(_workbench("layers", "list", cwd=tmp_path).stdout) == {"Layers": []}
