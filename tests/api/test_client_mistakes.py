"""Client mistakes get AWS's 4xx errors, never a 500 (issue 19, item 7): deeply nested JSON, broken ZIP archives,
huge and non-ASCII numbers, NUL characters and lone surrogates. The function they aimed at keeps working."""

from __future__ import annotations

import base64
import io
import json
import struct
import zipfile
from typing import Any

import pytest

from tests.api.conftest import ECHO_ZIP, PYTHON_ECHO, ROLE, ServerThread, create_echo, invoke, make_zip
from tests.api.test_malformed_requests import request

DEEP = "[" * 5000 + "]" * 5000


def _stored_zip(flag_bits: int = 0, compress_type: int = zipfile.ZIP_STORED) -> bytes:
    """The echo function's code in one stored entry, with the general-purpose flags and the compression method
    of its headers set as given (zipfile writes neither encrypted nor unknown-method entries itself)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("app.py", (2024, 1, 1, 0, 0, 0)), PYTHON_ECHO)
    data = bytearray(buffer.getvalue())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # the local and the central header
        start = data.index(signature)
        struct.pack_into("<HH", data, start + flags_at, flag_bits, compress_type)
    return bytes(data)


def _corrupt_zip() -> bytes:
    data = bytearray(_stored_zip())
    start = data.index(b"import json")
    data[start] ^= 0xFF  # one byte of the entry's data: its CRC no longer matches
    return bytes(data)


BROKEN_PACKAGES = {
    "corrupt entry": _corrupt_zip(),
    "encrypted entry": _stored_zip(flag_bits=0x1),
    "unsupported compression": _stored_zip(compress_type=99),
    "entry under a file": make_zip({"app.py": PYTHON_ECHO, "app.py/inner.py": "x = 1"}),
    "file over a folder": make_zip({"lib/": "", "lib/a.py": "a = 1", "lib": "not a folder"}),
    "over-long name": make_zip({"app.py": PYTHON_ECHO, "n" * 300 + ".py": "x = 1"}),
    "over-long path": make_zip({"app.py": PYTHON_ECHO, "/".join(["d" * 250] * 20) + "/x.py": "x = 1"}),
}


def _code(package: bytes) -> str:
    return base64.b64encode(package).decode()


def _create_body(package: bytes, **extra: Any) -> str:
    return json.dumps({"FunctionName": "broken", "Runtime": "python3.11", "Role": ROLE, "Handler": "app.handler",
                       "Code": {"ZipFile": _code(package)}, **extra})


def _assert_still_serving(server: ServerThread, client: Any) -> None:
    answer = invoke(client, FunctionName="echo", Payload=b'{"ok": true}')
    assert answer["StatusCode"] == 200 and "FunctionError" not in answer
    assert json.loads(answer["Payload"])["event"] == {"ok": True}


@pytest.mark.parametrize("name", list(BROKEN_PACKAGES))
def test_broken_packages_are_invalid_parameters(server: ServerThread, client: Any, name: str) -> None:
    create_echo(client)
    package = BROKEN_PACKAGES[name]
    for method, path, body in [
        ("POST", "/2015-03-31/functions", _create_body(package)),
        ("PUT", "/2015-03-31/functions/echo/code", json.dumps({"ZipFile": _code(package)})),
        ("POST", "/2018-10-31/layers/broken/versions", json.dumps({"Content": {"ZipFile": _code(package)}})),
    ]:
        status, headers, document = request(server, method, path, body)
        assert (status, headers["x-amzn-errortype"]) == (400, "InvalidParameterValueException"), document
        assert "Could not unzip uploaded file" in document["message"]
    _assert_still_serving(server, client)


def test_deeply_nested_json_in_bodies_payloads_and_client_context(server: ServerThread, client: Any) -> None:
    create_echo(client)
    status, headers, document = request(server, "POST", "/2015-03-31/functions",
                                        _create_body(ECHO_ZIP)[:-1] + f', "Tags": {DEEP}}}')
    assert (status, headers["x-amzn-errortype"]) == (400, "InvalidRequestContentException")
    assert document["message"] == "Could not parse request body into json: the document is nested too deeply"
    status, headers, document = request(server, "POST", "/2015-03-31/functions/echo/invocations", DEEP)
    assert (status, headers["x-amzn-errortype"]) == (400, "InvalidRequestContentException")
    context = base64.b64encode(DEEP[3800:-3800].encode()).decode()  # 1,200 deep: within the header's size limit
    status, headers, document = request(server, "POST", "/2015-03-31/functions/echo/invocations", "{}",
                                        {"X-Amz-Client-Context": context})
    assert (status, headers["x-amzn-errortype"]) == (400, "InvalidParameterValueException")
    _assert_still_serving(server, client)


@pytest.mark.parametrize(("method", "path", "body", "code"), [
    ("PUT", "/2015-03-31/functions/echo/configuration", '{"Timeout": ' + "9" * 5000 + "}",
     "InvalidRequestContentException"),
    ("GET", "/2015-03-31/functions?MaxItems=" + "9" * 5000, None, "InvalidRequestContentException"),
    ("GET", "/2015-03-31/functions?MaxItems=%D9%A3", None, "InvalidRequestContentException"),  # Arabic-Indic 3
    ("GET", "/2018-10-31/layers/lib/versions/%C2%B2", None, "ValidationException"),  # superscript 2
    ("GET", "/2018-10-31/layers/lib/versions/" + "9" * 5000, None, "ValidationException"),
    ("POST", "/2015-03-31/functions/echo/aliases",
     json.dumps({"Name": "a", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"1": 10**400}}}),
     "ValidationException"),
    ("POST", "/2015-03-31/functions/echo/aliases",
     json.dumps({"Name": "a", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"²": 0.5}}}),
     "ValidationException"),
    ("PUT", "/2015-03-31/functions/echo/configuration", '{"Description": "\\ud800"}', "InvalidRequestContentException"),
])
def test_numbers_and_text_beyond_what_can_be_held(server: ServerThread, client: Any, method: str, path: str,
                                                  body: str | None, code: str) -> None:
    create_echo(client)
    client.publish_version(FunctionName="echo")
    status, headers, document = request(server, method, path, body)
    assert (status, headers["x-amzn-errortype"]) == (400, code), document
    _assert_still_serving(server, client)


@pytest.mark.parametrize("changes", [{"Environment": {"Variables": {"KEY": "a\0b"}}}, {"Handler": "app.\0handler"},
                                     {"Environment": {"Variables": {"KEY": "\ud800"}}}])
def test_nul_in_an_environment_value_or_handler(server: ServerThread, client: Any, changes: dict[str, Any]) -> None:
    body = json.dumps(changes)  # "\ud800" is sent as its escape, as a careless client would
    status, headers, document = request(server, "POST", "/2015-03-31/functions", _create_body(ECHO_ZIP)[:-1] + ", "
                                        + body[1:])
    assert status == 400 and headers["x-amzn-errortype"] in ("InvalidParameterValueException",
                                                              "InvalidRequestContentException"), document
    create_echo(client)
    status, headers, document = request(server, "PUT", "/2015-03-31/functions/echo/configuration", body)
    assert status == 400 and headers["x-amzn-errortype"] in ("InvalidParameterValueException",
                                                              "InvalidRequestContentException"), document
    _assert_still_serving(server, client)
