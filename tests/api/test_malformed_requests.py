"""Malformed requests over raw HTTP get Lambda's errors (REST-JSON, X-Amzn-ErrorType), never a crash."""

from __future__ import annotations

import base64
import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.api.conftest import ECHO_ZIP, ROLE, ServerThread, create_echo, lambda_client, signed_headers


def _document(data: bytes) -> Any:
    """The answer parsed as JSON; a payload that is not JSON (an Invoke's answer may be any bytes) as it is."""
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return data


def request(server: ServerThread, method: str, path: str, body: bytes | str | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """A raw request, signed (SigV4) as any SDK signs it, with ``headers`` added."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={**signed_headers(server, method, path, body),
                                                             **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, _document(data)
    finally:
        connection.close()


def _create_body(**overrides: Any) -> str:
    document = {"FunctionName": "fn", "Runtime": "python3.11", "Role": ROLE, "Handler": "app.handler",
                "Code": {"ZipFile": base64.b64encode(ECHO_ZIP).decode()}, **overrides}
    return json.dumps({key: value for key, value in document.items() if value is not None})


@pytest.mark.parametrize(("body", "expected_code", "expected_message"), [
    ("{not json", "InvalidRequestContentException", "Could not parse request body into json"),
    ("[1, 2]", "InvalidRequestContentException", "the body must be a JSON object"),
    (_create_body(MemorySize="big"), "InvalidRequestContentException", "member MemorySize must be an integer"),
    (_create_body(Code={"ZipFile": "***"}), "InvalidRequestContentException", "ZipFile is not valid base64"),
    (_create_body(FunctionName=None, Role=None, Code=None), "ValidationException",
     "3 validation errors detected: Value null at 'functionName' failed to satisfy constraint: Member must not be "
     "null; Value null at 'code' failed to satisfy constraint: Member must not be null; Value null at 'role' failed "
     "to satisfy constraint: Member must not be null"),
    (_create_body(MemorySize=64, Timeout=0), "ValidationException",
     "2 validation errors detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value "
     "greater than or equal to 1; Value '64' at 'memorySize' failed to satisfy constraint: Member must have value "
     "greater than or equal to 128"),
    (_create_body(FunctionName="not a name!"), "ValidationException", "at 'functionName' failed to satisfy"),
    (_create_body(Runtime=None), "InvalidParameterValueException", "Runtime and Handler are mandatory parameters"),
    (_create_body(PackageType="Image"), "InvalidParameterValueException", "Container images"),
    (_create_body(Environment={"Variables": {"AWS_REGION": "x"}}), "InvalidParameterValueException",
     "AWS_REGION is reserved by Lambda"),
])
def test_bad_create_requests(server: ServerThread, body: str, expected_code: str, expected_message: str) -> None:
    status, headers, document = request(server, "POST", "/2015-03-31/functions", body)
    assert status == 400
    assert headers["x-amzn-errortype"] == expected_code
    assert headers["content-type"].startswith("application/json") and headers["x-amzn-requestid"]
    message = document.get("message") or document.get("Message")
    assert expected_message in message, message
    if expected_code != "ValidationException":
        assert document["Type"] == "User"
    assert request(server, "GET", "/2015-03-31/functions")[2] == {"Functions": []}


def test_unknown_routes_methods_and_names(server: ServerThread) -> None:
    status, headers, document = request(server, "GET", "/2099-01-01/nothing-here")
    assert (status, headers["x-amzn-errortype"]) == (404, "UnknownOperationException")
    assert document["Message"] == "No Lambda operation is GET /2099-01-01/nothing-here"
    status, headers, _ = request(server, "PATCH", "/2015-03-31/functions")
    assert (status, headers["x-amzn-errortype"]) == (404, "UnknownOperationException")
    status, headers, document = request(server, "GET", "/2015-03-31/functions/bad%20name%21")
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationException")
    assert "Value 'bad name!' at 'functionName' failed to satisfy constraint" in document["message"]


def test_invoke_header_and_query_errors(server: ServerThread) -> None:
    client = lambda_client(server.url)
    create_echo(client)
    client.close()
    path = "/2015-03-31/functions/echo/invocations"
    status, headers, document = request(server, "POST", path, "{}", {"X-Amz-Invocation-Type": "Sometimes"})
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationException")
    assert document["message"] == ("1 validation error detected: Value 'Sometimes' at 'invocationType' failed to "
                                   "satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, "
                                   "DryRun]")
    status, headers, _ = request(server, "POST", path, "{}", {"X-Amz-Log-Type": "Everything"})
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationException")
    status, headers, _ = request(server, "POST", path + "?Qualifier=nope", "{}")
    assert (status, headers["x-amzn-errortype"]) == (404, "ResourceNotFoundException")
    status, headers, document = request(server, "POST", path, "{}")
    assert status == 200 and headers["x-amz-executed-version"] == "$LATEST" and document["event"] == {}


def test_listing_parameters(server: ServerThread) -> None:
    status, headers, document = request(server, "GET", "/2015-03-31/functions?MaxItems=0")
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationException")
    assert "Value '0' at 'maxItems'" in document["message"]
    status, headers, _ = request(server, "GET", "/2015-03-31/functions?MaxItems=lots")
    assert (status, headers["x-amzn-errortype"]) == (400, "InvalidRequestContentException")
    status, headers, _ = request(server, "GET", "/2015-03-31/functions?Marker=%25%25%25")
    assert (status, headers["x-amzn-errortype"]) == (400, "InvalidParameterValueException")


def test_requests_over_the_size_limit(server: ServerThread) -> None:
    status, headers, document = request(server, "POST", "/2015-03-31/functions", b" " * 69_905_068)
    assert (status, headers["x-amzn-errortype"]) == (413, "RequestTooLargeException")
    assert document["message"] == "Request must be smaller than 69905067 bytes for the CreateFunction operation"


def test_internal_faults_are_service_exceptions_without_tracebacks(server: ServerThread,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    assert server.engine is not None

    def broken() -> list[Any]:
        raise RuntimeError("the catalogue is on fire")

    server.engine.functions = broken  # type: ignore[method-assign]  # a fault the engine has no way to produce
    status, headers, document = request(server, "GET", "/2015-03-31/functions")
    assert (status, headers["x-amzn-errortype"]) == (500, "ServiceException")
    assert document == {"Type": "Service", "Message": "The workbench failed to handle this request: RuntimeError: "
                                                      "the catalogue is on fire"}
    assert "Traceback" in caplog.text  # logged on the server's side
