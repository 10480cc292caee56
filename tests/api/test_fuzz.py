"""Property-based fuzzing of every route (hypothesis): whatever a client sends, the answer is never a 500 and the
server keeps serving. Bounded (a fixed number of examples, no example database) so it runs in CI in about a
minute; every failure hypothesis finds is printed as the request that caused it."""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import ECHO_ZIP, ROLE, ServerThread, create_echo, invoke, lambda_client, make_zip
from tests.api.test_malformed_requests import request
from workbench.api.app import build_app

#: The members the operations read, so that generated documents reach validation and the engine.
MEMBERS = ("FunctionName", "Runtime", "Role", "Handler", "Code", "ZipFile", "Description", "Timeout", "MemorySize",
           "Environment", "Variables", "Publish", "DryRun", "RevisionId", "Architectures", "Layers", "TracingConfig",
           "Mode", "EphemeralStorage", "Size", "PackageType", "Name", "FunctionVersion", "RoutingConfig",
           "AdditionalVersionWeights", "CodeSha256", "Content", "CompatibleRuntimes", "CompatibleArchitectures",
           "LicenseInfo", "ReservedConcurrentExecutions", "ProvisionedConcurrentExecutions", "1", "2")
QUERY_NAMES = ("Qualifier", "Marker", "MaxItems", "FunctionVersion", "CompatibleRuntime", "CompatibleArchitecture",
               "find", "Arn", "List")
ROUTES = sorted({(route.method, route.resource.canonical)
                 for route in build_app(engine=None).router.routes()  # type: ignore[arg-type]  # routes only
                 if route.resource is not None and route.method != "HEAD"})

BROKEN_ZIPS = [
    ECHO_ZIP[:40] + b"\0" * 8 + ECHO_ZIP[48:],                      # a corrupt entry
    make_zip({"app.py": "x", "app.py/inner": "y"}),                  # an entry under a file
    make_zip({"a/": "", "a": "file over a folder"}),
    make_zip({"x" * 300 + ".py": "long name"}),
    ECHO_ZIP,
]

texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["echo", "$LATEST", "1", "python3.11", "app.handler", "x86_64", "Active", "ALL", "LayerVersion",
                     ROLE, "a\0b", "\ud800", "٣", "²", "9" * 5000, "-1", "", " "]),
)
numbers = st.one_of(st.integers(), st.floats(allow_nan=True), st.sampled_from([10**400, -(10**400), 2**63]))
zip_members = st.sampled_from(BROKEN_ZIPS).map(lambda data: base64.b64encode(data).decode())
leaves = st.one_of(st.none(), st.booleans(), numbers, texts, zip_members)
documents = st.recursive(
    leaves,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(MEMBERS) | st.text(max_size=8), children, max_size=6)),
    max_leaves=25,
)
deep = st.integers(min_value=900, max_value=3000).map(lambda depth: "[" * depth + "]" * depth)


@st.composite
def bodies(draw: st.DrawFn) -> bytes | None:
    kind = draw(st.sampled_from(["none", "json", "object", "deep", "bytes"]))
    if kind == "none":
        return None
    if kind == "deep":
        return ('{"Environment": ' + draw(deep) + "}").encode()
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    document = draw(documents if kind == "json" else st.dictionaries(st.sampled_from(MEMBERS), documents,
                                                                      max_size=8))
    return json.dumps(document).encode()


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # lone surrogates too, as a careless client sends them


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, bytes | None, dict[str, str]]:
    method, path = draw(st.sampled_from(ROUTES))
    concrete = re.sub(r"\{[^}]+\}", lambda _: quote(_utf8(draw(texts)), safe=""), path)
    if draw(st.booleans()):
        concrete += "/"
    query = draw(st.dictionaries(st.sampled_from(QUERY_NAMES), texts, max_size=3))
    if query:
        concrete += "?" + urlencode({_utf8(name): _utf8(value) for name, value in query.items()})
    headers: dict[str, str] = {}
    if draw(st.booleans()):
        headers["X-Amz-Invocation-Type"] = draw(st.sampled_from(["Event", "RequestResponse", "DryRun", "Bad"]))
    if draw(st.booleans()):
        context = draw(st.one_of(documents.map(json.dumps), deep, st.text(max_size=20)))
        headers["X-Amz-Client-Context"] = base64.b64encode(context.encode("utf-8", "surrogatepass")).decode()
    return method, concrete, draw(bodies()), headers


@pytest.mark.timeout(300)
@settings(max_examples=1500, deadline=None, database=None, derandomize=False,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(sent=requests())
def test_no_request_gets_a_500(fuzz_server: ServerThread, sent: tuple[str, str, bytes | None, dict[str, str]]) -> None:
    method, path, body, headers = sent
    status, answer_headers, document = request(fuzz_server, method, path, body, headers)
    assert status < 500, (method, path, body[:300] if body else body, headers, document)
    if status >= 400:
        assert answer_headers["x-amzn-errortype"]


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    running = ServerThread(tmp_path_factory.mktemp("fuzz") / ".workbench").start()
    client = lambda_client(running.url)
    create_echo(client)
    client.publish_version(FunctionName="echo")
    client.create_alias(FunctionName="echo", Name="live", FunctionVersion="1")
    client.close()
    yield running
    # the server still serves after everything the fuzzer sent: it creates and invokes a new function
    client = lambda_client(running.url)
    create_echo(client, "after-fuzzing")
    answer = invoke(client, FunctionName="after-fuzzing", Payload=b'{"still": "serving"}')
    client.close()
    running.stop()
    assert json.loads(answer["Payload"])["event"] == {"still": "serving"}
