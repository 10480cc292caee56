"""Who may call the API (workbench/api/guard.py): loopback Host names only, no cross-origin browser requests, no
text or form bodies on JSON operations, a SigV4 signature always, verified when credentials are configured.
Real boto3, the real AWS CLI (when installed) and the real `workbench` commands still work."""

from __future__ import annotations

import base64
import datetime
import http.client
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ECHO_ZIP, ROLE, ServerThread, create_echo, invoke, lambda_client, signed_headers
from workbench.api import sigv4

CREATE_PATH = "/2015-03-31/functions"
CREATE_BODY = json.dumps({"FunctionName": "planted", "Runtime": "python3.11", "Role": ROLE,
                          "Handler": "app.handler", "Code": {"ZipFile": base64.b64encode(ECHO_ZIP).decode()}})


def raw(server: ServerThread, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None,
        *, sign: bool = True, skip_host: bool = False) -> tuple[int, str, dict[str, Any]]:
    """One request; ``headers`` override the signed ones (a Host given here is sent as it is)."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    try:
        sent = {**(signed_headers(server, method, path, body) if sign else {}), **(headers or {})}
        connection.putrequest(method, path, skip_host=skip_host or "Host" in sent)
        data = body.encode() if body is not None else b""
        for name, value in {**sent, "Content-Length": str(len(data))}.items():
            connection.putheader(name, value)
        connection.endheaders(data)
        response = connection.getresponse()
        document = json.loads(response.read() or b"{}")
        return response.status, response.getheader("X-Amzn-ErrorType") or "", document
    finally:
        connection.close()


def function_names(server: ServerThread) -> list[str]:
    assert server.engine is not None
    return [config.name for config in server.engine.functions()]


@pytest.mark.parametrize("host", ["evil.test:{port}", "127.0.0.1:1", "127.0.0.2:{port}", "localhost.evil.test:{port}",
                                  "127.0.0.1", ""])
def test_other_host_names_are_refused(server: ServerThread, host: str) -> None:
    """DNS rebinding: a page of evil.test whose name now resolves to 127.0.0.1 reaches the port under its name."""
    port = urlsplit(server.url).port
    status, code, document = raw(server, "POST", CREATE_PATH, CREATE_BODY, {"Host": host.format(port=port)})
    assert (status, code) == (403, "AccessDeniedException")
    assert "answers requests for 127.0.0.1:" in document["message"]
    assert function_names(server) == []


def test_a_request_without_host_is_refused(server: ServerThread) -> None:
    status, code, _ = raw(server, "GET", CREATE_PATH, skip_host=True)
    assert (status, code) == (403, "AccessDeniedException")


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_loopback_names_of_this_port_are_served(server: ServerThread, host: str) -> None:
    port = urlsplit(server.url).port
    status, _, document = raw(server, "GET", CREATE_PATH, headers={"Host": host.format(port=port)})
    assert (status, document) == (200, {"Functions": []})


@pytest.mark.parametrize("headers", [
    {"Origin": "http://127.0.0.1:8000"}, {"Origin": "http://localhost:1"}, {"Origin": "null"},
    {"Origin": "https://evil.test"}, {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
])
def test_cross_origin_browser_requests_are_refused(server: ServerThread, headers: dict[str, str]) -> None:
    status, code, document = raw(server, "POST", CREATE_PATH, CREATE_BODY, headers)
    assert (status, code) == (403, "AccessDeniedException")
    assert "does not answer web pages of other origins" in document["message"]
    assert function_names(server) == []


def test_the_servers_own_origin_is_served(server: ServerThread) -> None:
    own = {"Origin": server.url, "Sec-Fetch-Site": "same-origin"}
    assert raw(server, "GET", CREATE_PATH, headers=own)[0] == 200


@pytest.mark.parametrize("content_type", ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_json_operations_refuse_text_and_form_bodies(server: ServerThread, content_type: str) -> None:
    status, code, document = raw(server, "POST", CREATE_PATH, CREATE_BODY, {"Content-Type": content_type})
    assert (status, code) == (415, "UnsupportedMediaTypeException")
    assert document["message"].startswith("The content type of the request body must be JSON")
    client = lambda_client(server.url)
    create_echo(client)
    status, code, _ = raw(server, "POST", "/2015-03-31/functions/echo/invocations", "{}",
                          {"Content-Type": content_type})
    assert (status, code) == (415, "UnsupportedMediaTypeException")
    assert server.engine is not None and server.engine.statistics().invocations == 0
    client.close()


def test_unsigned_and_malformed_signatures_are_refused(server: ServerThread) -> None:
    status, code, document = raw(server, "POST", CREATE_PATH, CREATE_BODY, {"Content-Type": "application/json"},
                                 sign=False)
    assert (status, code, document) == (403, "MissingAuthenticationTokenException",
                                        {"message": "Missing Authentication Token"})
    for authorization in ("Bearer x", "AWS4-HMAC-SHA256 Credential=x", "AWS x:y"):
        status, code, document = raw(server, "POST", CREATE_PATH, CREATE_BODY, {"Authorization": authorization})
        assert (status, code) == (403, "IncompleteSignatureException")
        assert "AWS4-HMAC-SHA256" in document["message"]
    assert function_names(server) == []


@pytest.fixture
def verified(tmp_path: Path) -> Iterator[ServerThread]:
    running = ServerThread(tmp_path / ".workbench", credentials={"AKIDWORKBENCH": "s3cret", "SECOND": "other"}).start()
    yield running
    running.stop()


def test_verified_signatures_boto3(verified: ServerThread) -> None:
    good = lambda_client(verified.url, "AKIDWORKBENCH", "s3cret")
    create_echo(good)
    arn = good.get_function(FunctionName="echo")["Configuration"]["FunctionArn"]
    good.publish_version(FunctionName="echo")
    # an ARN in the path (":" percent-encoded, then encoded again in the canonical request) and a query string
    assert good.get_function_configuration(FunctionName=arn, Qualifier="1")["Version"] == "1"
    assert len(good.list_versions_by_function(FunctionName="echo", MaxItems=1)["Versions"]) == 1
    assert invoke(good, FunctionName=arn, Payload=b'{"a": 1}')["StatusCode"] == 200
    good.close()

    wrong = lambda_client(verified.url, "AKIDWORKBENCH", "not-the-secret")
    with pytest.raises(ClientError) as refused:
        wrong.delete_function(FunctionName="echo")
    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"
    wrong.close()
    unknown = lambda_client(verified.url)
    with pytest.raises(ClientError) as refused:
        unknown.delete_function(FunctionName="echo")
    assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"
    unknown.close()
    assert function_names(verified) == ["echo"]


def test_verified_signatures_expire_and_cover_the_body(verified: ServerThread) -> None:
    path = "/2015-03-31/functions"
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    headers = sigv4.sign(access_key="AKIDWORKBENCH", secret="s3cret", method="GET", raw_path=path, query=(), body=b"",
                         host=urlsplit(verified.url).netloc, now=old)
    status, code, document = raw(verified, "GET", path, headers=headers, sign=False)
    assert (status, code) == (403, "InvalidSignatureException")
    assert document["message"].startswith("Signature expired")
    headers = signed_headers(verified, "POST", path, CREATE_BODY, "AKIDWORKBENCH", "s3cret")
    status, code, _ = raw(verified, "POST", path, CREATE_BODY.replace("planted", "swapped"), headers, sign=False)
    assert (status, code) == (403, "InvalidSignatureException")
    status, _, _ = raw(verified, "POST", path, CREATE_BODY, headers, sign=False)
    assert status == 201 and function_names(verified) == ["planted"]


def test_download_locations_are_presigned(server: ServerThread, client: Any) -> None:
    create_echo(client)
    location = client.get_function(FunctionName="echo")["Code"]["Location"]
    with urllib.request.urlopen(location, timeout=10) as download:  # a plain GET, as for S3's presigned URLs
        assert download.read()[:2] == b"PK"
    for tampered in (location.replace("Signature=", "Signature=0"), location.split("?")[0],
                     location.replace("/echo/", "/other/")):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(tampered, timeout=10)
        assert refused.value.code in (403, 404)
        assert refused.value.headers["X-Amzn-ErrorType"] == "MissingAuthenticationTokenException"
        refused.value.close()


def _cli(verified: ServerThread, *arguments: str, key: str, secret: str) -> subprocess.CompletedProcess[str]:
    aws = shutil.which("aws")
    assert aws is not None
    environ = {**os.environ, "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
               "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
               "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    return subprocess.run([aws, "lambda", "--endpoint-url", verified.url, *arguments], capture_output=True, text=True,
                          env=environ, timeout=120, check=False)


@pytest.mark.skipif(shutil.which("aws") is None or subprocess.run(["aws", "--version"], capture_output=True,
                                                                     check=False).returncode != 0,
                    reason="the AWS CLI is not installed")
def test_the_aws_cli_signs_as_the_api_expects(verified: ServerThread) -> None:
    client = lambda_client(verified.url, "SECOND", "other")
    create_echo(client)
    client.close()
    listed = _cli(verified, "list-functions", key="SECOND", secret="other")
    assert listed.returncode == 0, listed.stderr
    assert [f["FunctionName"] for f in json.loads(listed.stdout)["Functions"]] == ["echo"]
    refused = _cli(verified, "list-functions", key="SECOND", secret="wrong")
    assert refused.returncode != 0 and "InvalidSignatureException" in refused.stderr


def test_workbench_commands_sign_with_the_configured_credentials(verified: ServerThread, tmp_path: Path) -> None:
    (tmp_path / "fn.zip").write_bytes(ECHO_ZIP)
    (verified.state_dir / "serve.json").write_text(json.dumps({"pid": os.getpid(), "url": verified.url}))
    command = [sys.executable, "-m", "workbench", "deploy", str(tmp_path / "fn.zip"), "--name", "cli",
               "--runtime", "python3.11", "--handler", "app.handler", "--project", str(tmp_path)]
    without = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False,
                             env={**os.environ, "WORKBENCH_API_CREDENTIALS": ""})
    assert without.returncode == 2 and "UnrecognizedClientException" in without.stderr
    deployed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False,
                              env={**os.environ, "WORKBENCH_API_CREDENTIALS": "AKIDWORKBENCH:s3cret"})
    assert deployed.returncode == 0, deployed.stderr
    assert json.loads(deployed.stdout)["FunctionName"] == "cli" and function_names(verified) == ["cli"]
