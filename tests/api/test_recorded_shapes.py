"""Our responses against responses recorded from real AWS (`tests/fixtures/aws-recorded-responses.json`,
Apache-2.0, recorded by the LocalStack project — see tests/fixtures/NOTICE.md; values normalised, HTTP headers
stripped).

Each test replays a recorded scenario with boto3 against our server and compares what boto3 parsed: the HTTP
status, the same set of keys at every level, and — for errors — the message (after normalising ARNs the way the
recording did). Deliberate differences are listed in `_without_known_differences`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ECHO_ZIP, ROLE, ServerThread, create_echo, lambda_client, make_zip

# In the repository, so these tests run everywhere; a missing file is a failure (json.loads raises), never a skip.
RECORDINGS = Path(__file__).parent.parent / "fixtures" / "aws-recorded-responses.json"

API = "tests/aws/services/lambda_/test_lambda_api.py::"
FEATURES = "tests/aws/services/lambda_/test_lambda.py::"


@pytest.fixture
def client(server: ServerThread) -> Iterator[Any]:
    """Without boto3's own parameter checks, so that the server's checks answer, as AWS's did."""
    made = lambda_client(server.url, parameter_validation=False)
    yield made
    made.close()


def recorded(test: str, key: str) -> Any:
    samples = json.loads(RECORDINGS.read_text())["samples"]
    content = samples[test]["recorded-content"][key]
    if isinstance(content, dict) and "CreateFunctionResponse" in content:
        content = content["CreateFunctionResponse"]
    return content


def capture(call: Callable[[], Any]) -> dict[str, Any]:
    """What boto3 gives back: the parsed response, or the parsed error."""
    try:
        response: dict[str, Any] = call()
    except ClientError as error:
        return dict(error.response)
    if hasattr(response.get("Payload"), "read"):  # the recording holds the payload parsed, "" when empty
        payload = response["Payload"].read()
        response["Payload"] = json.loads(payload) if payload else ""
    return response


def _without_known_differences(recording: Any) -> Any:
    """Differences we keep: AWS echoes an Environment whose Variables are empty (the caller sent one); we do not
    keep an empty environment apart from none, so we leave it out."""
    if isinstance(recording, dict):
        return {key: _without_known_differences(value) for key, value in recording.items()
                if not (key == "Environment" and value == {"Variables": {}})}
    if isinstance(recording, list):
        return [_without_known_differences(item) for item in recording]
    return recording


def _normalise(text: str, names: dict[str, str]) -> str:
    text = text.replace("arn:aws:", "arn:<partition>:").replace(":us-east-1:", ":<region>:")
    text = text.replace("123456789012", "111111111111")
    for ours, placeholder in names.items():
        text = text.replace(ours, placeholder)
    return text


def assert_same_shape(ours: Any, recording: Any, names: dict[str, str], path: str = "") -> None:
    recording = _without_known_differences(recording)
    if isinstance(recording, dict):
        assert isinstance(ours, dict), path
        mine = {key for key in ours if key != "ResponseMetadata"}
        theirs = {key for key in recording if key != "ResponseMetadata"}
        assert mine == theirs, f"{path}: ours has {sorted(mine - theirs)} extra, lacks {sorted(theirs - mine)}"
        if "ResponseMetadata" in recording:
            assert ours["ResponseMetadata"]["HTTPStatusCode"] == recording["ResponseMetadata"]["HTTPStatusCode"], path
        for key in theirs:
            assert_same_shape(ours[key], recording[key], names, f"{path}.{key}")
    elif isinstance(recording, list):
        assert isinstance(ours, list) and len(ours) == len(recording), path
        for index, (mine_item, their_item) in enumerate(zip(ours, recording, strict=True)):
            assert_same_shape(mine_item, their_item, names, f"{path}[{index}]")
    elif recording is not None and path.endswith(("Message", "message", ".Code", ".Type", ".Reason")):
        assert isinstance(ours, str) and _normalise(ours, names) == recording, path


def test_function_lifecycle(client: Any) -> None:
    test, names = API + "TestLambdaFunction::test_function_lifecycle", {"lifecycle-fn": "<function-name:1>"}
    created = capture(lambda: create_echo(client, "lifecycle-fn", MemorySize=256, Timeout=5))
    assert_same_shape(created, recorded(test, "create_response"), names)
    assert_same_shape(capture(lambda: client.get_function(FunctionName="lifecycle-fn")),
                      recorded(test, "get_function_response"), names)
    updated = capture(lambda: client.update_function_configuration(
        FunctionName="lifecycle-fn", Runtime="python3.11", Description="Changed-Description", MemorySize=512,
        Timeout=10, Environment={"Variables": {"ENV_A": "a"}}))
    assert_same_shape(updated, recorded(test, "update_func_conf_response"), names)
    assert_same_shape(capture(lambda: client.update_function_code(FunctionName="lifecycle-fn", ZipFile=ECHO_ZIP)),
                      recorded(test, "update_code_response"), names)
    assert_same_shape(capture(lambda: client.get_function(FunctionName="lifecycle-fn")),
                      recorded(test, "get_function_response_postcodeupdate"), names)
    assert_same_shape(capture(lambda: client.delete_function(FunctionName="lifecycle-fn")),
                      recorded(test, "delete_response"), names)
    assert_same_shape(capture(lambda: client.delete_function(FunctionName="lifecycle-fn")),
                      recorded(test, "delete_postdelete"), names)


def test_version_lifecycle(client: Any) -> None:
    test, names = API + "TestLambdaVersions::test_version_lifecycle", {"versioned": "<function-name:1>"}
    created = capture(lambda: create_echo(client, "versioned", Description="No version :("))
    assert_same_shape(created, recorded(test, "create_response"), names)
    assert_same_shape(capture(lambda: client.list_versions_by_function(FunctionName="versioned")),
                      recorded(test, "list_versions_result"), names)
    assert_same_shape(capture(lambda: client.update_function_configuration(FunctionName="versioned",
                                                                           Description="First version :)")),
                      recorded(test, "first_update_response"), names)
    assert_same_shape(capture(lambda: client.publish_version(FunctionName="versioned",
                                                             Description="First version description :)")),
                      recorded(test, "first_publish_response"), names)
    client.update_function_configuration(FunctionName="versioned", Description="Second version :))")
    second = capture(lambda: client.publish_version(FunctionName="versioned", Description="Second version :))"))
    assert_same_shape(second, recorded(test, "second_publish_response"), names)
    third = capture(lambda: client.publish_version(FunctionName="versioned", Description="Third version :)))"))
    assert_same_shape(third, recorded(test, "third_publish_response"), names)
    assert third["Version"] == second["Version"] == "2"
    assert_same_shape(capture(lambda: client.list_versions_by_function(FunctionName="versioned")),
                      recorded(test, "list_versions_result_after_third_publish"), names)
    client.delete_function(FunctionName="versioned", Qualifier="1")
    assert_same_shape(capture(lambda: client.list_versions_by_function(FunctionName="versioned")),
                      recorded(test, "list_versions_result_after_deletion_of_first_version"), names)


def test_alias_lifecycle(client: Any) -> None:
    test, names = API + "TestLambdaAlias::test_alias_lifecycle", {"aliased": "<function-name:1>"}
    create_echo(client, "aliased", Environment={"Variables": {"testenv": "staging"}})
    client.publish_version(FunctionName="aliased")
    client.update_function_configuration(FunctionName="aliased", Environment={"Variables": {"testenv": "prod"}})
    client.publish_version(FunctionName="aliased")
    created = capture(lambda: client.create_alias(FunctionName="aliased", Name="aliasname1_1", FunctionVersion="1",
                                                  Description="custom-alias",
                                                  RoutingConfig={"AdditionalVersionWeights": {"2": 0.2}}))
    assert_same_shape(created, recorded(test, "create_alias_1_1"), names)
    assert_same_shape(capture(lambda: client.get_alias(FunctionName="aliased", Name="aliasname1_1")),
                      recorded(test, "get_alias_1_1"), names)
    assert_same_shape(capture(lambda: client.get_function(FunctionName="aliased", Qualifier="aliasname1_1")),
                      recorded(test, "get_function_alias_1_1"), names)
    assert_same_shape(capture(lambda: client.get_function(FunctionName="aliased", Qualifier="aliasdoesnotexist")),
                      recorded(test, "get_function_alias_notfound_exc"), names)
    client.create_alias(FunctionName="aliased", Name="aliasname1_2", FunctionVersion="1", Description="custom-alias")
    client.create_alias(FunctionName="aliased", Name="aliasname1_3", FunctionVersion="1")
    client.create_alias(FunctionName="aliased", Name="aliasname2", FunctionVersion="2", Description="custom-alias")
    assert_same_shape(capture(lambda: client.list_aliases(FunctionName="aliased")),
                      recorded(test, "list_aliases_for_fnname"), names)
    updated = capture(lambda: client.update_alias(FunctionName="aliased", Name="aliasname1_1",
                                                  RoutingConfig={"AdditionalVersionWeights": {}}))
    assert_same_shape(updated, recorded(test, "update_alias_1_1"), names)
    assert_same_shape(capture(lambda: client.delete_alias(FunctionName="aliased", Name="aliasname1_1")),
                      recorded(test, "delete_alias_response"), names)


def test_routing_config_errors(client: Any) -> None:
    test = API + "TestLambdaAlias::test_notfound_and_invalid_routingconfigs"
    names = {"routed-unknown": "<function-name:1>-unknown", "routed": "<function-name:1>"}
    create_echo(client, "routed")
    client.publish_version(FunctionName="routed")
    client.update_function_configuration(FunctionName="routed", Description="v2")
    client.publish_version(FunctionName="routed")

    def alias(name: str, version: str, weights: dict[str, float] | None = None, function: str = "routed") -> Any:
        extra = {"RoutingConfig": {"AdditionalVersionWeights": weights}} if weights is not None else {}
        return capture(lambda: client.create_alias(FunctionName=function, Name=name, FunctionVersion=version,
                                                   **extra))

    assert_same_shape(alias("a", "1", {"2": 0.5, "3": 0.1}), recorded(test, "routing_config_exc_toomany"), names)
    assert_same_shape(alias("a", "1", {"2": 2.0}), recorded(test, "routing_config_exc_toohigh"), names)
    assert_same_shape(alias("a", "1", {"2": -1.0}), recorded(test, "routing_config_exc_subzero"), names)
    assert_same_shape(alias("a", "1", {"1": 0.5}), recorded(test, "routing_config_exc_sameversion"), names)
    assert_same_shape(alias("a", "10"), recorded(test, "target_version_doesnotexist"), names)
    assert_same_shape(alias("a", "1", {"10": 0.5}), recorded(test, "routing_config_exc_version_doesnotexist"), names)
    assert_same_shape(alias("a", "$LATEST", {"2": 0.5}), recorded(test, "target_version_exc_version_latest"), names)
    assert_same_shape(alias("a", "1", {"$LATEST": 0.5}), recorded(test, "routing_config_exc_version_latest"), names)
    assert_same_shape(alias("custom-latest", "$LATEST"), recorded(test, "create-alias-latest"), names)
    assert_same_shape(alias("a", "1", None, "routed-unknown"), recorded(test, "routing_config_exc_fn_doesnotexist"),
                      names)
    assert_same_shape(alias("custom-empty-routingconfig", "1", {}),
                      recorded(test, "create_alias_empty_routingconfig"), names)
    assert_same_shape(alias("custom", "1", {"2": 0.5}), recorded(test, "create_alias_response"), names)
    assert_same_shape(alias("custom", "1", {"2": 0.5}), recorded(test, "routing_config_exc_already_exist"), names)


def test_reserved_concurrency(client: Any) -> None:
    names = {"reserved-fn": "<function-name:1>", "doesnotexist": "doesnotexist"}
    crud = FEATURES + "TestLambdaConcurrency::test_lambda_concurrency_crud"
    create_echo(client, "reserved-fn")
    assert_same_shape(capture(lambda: client.get_function_concurrency(FunctionName="reserved-fn")),
                      recorded(crud, "get_function_concurrency_default"), names)
    assert_same_shape(capture(lambda: client.put_function_concurrency(FunctionName="reserved-fn",
                                                                      ReservedConcurrentExecutions=0)),
                      recorded(crud, "put_function_concurrency"), names)
    invoked = capture(lambda: client.invoke(FunctionName="reserved-fn"))
    assert_same_shape(invoked, recorded(FEATURES + "TestLambdaConcurrency::test_reserved_concurrency",
                                        "exc_no_cap_requestresponse"), names)
    assert_same_shape(capture(lambda: client.delete_function_concurrency(FunctionName="reserved-fn")),
                      recorded(API + "TestLambdaReservedConcurrency::test_function_concurrency", "delete_response"),
                      names)
    exceptions = API + "TestLambdaReservedConcurrency::test_function_concurrency_exceptions"
    assert_same_shape(capture(lambda: client.put_function_concurrency(FunctionName="doesnotexist",
                                                                      ReservedConcurrentExecutions=1)),
                      recorded(exceptions, "put_function_concurrency_with_function_name_doesnotexist"), names)
    assert_same_shape(capture(lambda: client.put_function_concurrency(
        FunctionName="arn:aws:lambda:us-east-1:123456789012:function:reserved-fn:1", ReservedConcurrentExecutions=1)),
        recorded(exceptions, "put_function_concurrency_with_qualified_arn"), names)
    limits = API + "TestLambdaReservedConcurrency::test_function_concurrency_limits"
    below = capture(lambda: client.put_function_concurrency(FunctionName="reserved-fn",
                                                            ReservedConcurrentExecutions=901))
    assert_same_shape(below, _with_minimum(recorded(limits, "put_function_concurrency_below_unreserved_min_value")),
                      names)


def _with_minimum(recording: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(recording).replace("<min_unreserved_concurrency>", "100")
    result: dict[str, Any] = json.loads(text)
    return result


def test_provisioned_concurrency(client: Any) -> None:
    lifecycle = API + "TestLambdaProvisionedConcurrency::test_lambda_provisioned_lifecycle"
    exceptions = API + "TestLambdaProvisionedConcurrency::test_provisioned_concurrency_exceptions"
    names = {"pc-fn": "<function-name:1>", "doesnotexist": "doesnotexist"}
    create_echo(client, "pc-fn")
    assert_same_shape(capture(lambda: client.publish_version(FunctionName="pc-fn")),
                      recorded(lifecycle, "publish_version_result"), names)

    def get(qualifier: str, function: str = "pc-fn") -> Any:
        return capture(lambda: client.get_provisioned_concurrency_config(FunctionName=function, Qualifier=qualifier))

    def put(qualifier: str, count: int = 1, function: str = "pc-fn") -> Any:
        return capture(lambda: client.put_provisioned_concurrency_config(
            FunctionName=function, Qualifier=qualifier, ProvisionedConcurrentExecutions=count))

    assert_same_shape(get("1"), recorded(exceptions, "get_provisioned_config_doesnotexist"), names)
    assert_same_shape(get("noalias", "doesnotexist"), recorded(exceptions, "get_provisioned_functionname_doesnotexist"),
                      names)
    assert_same_shape(get("noalias"), recorded(exceptions, "get_provisioned_qualifier_doesnotexist"), names)
    assert_same_shape(get("10"), recorded(exceptions, "get_provisioned_version_doesnotexist"), names)
    assert_same_shape(get("$LATEST"), recorded(exceptions, "get_provisioned_latest"), names)
    assert_same_shape(capture(lambda: client.list_provisioned_concurrency_configs(FunctionName="pc-fn")),
                      recorded(exceptions, "list_provisioned_noconfigs"), names)
    assert_same_shape(capture(lambda: client.list_provisioned_concurrency_configs(FunctionName="doesnotexist")),
                      recorded(exceptions, "list_provisioned_functionname_doesnotexist"), names)
    assert_same_shape(capture(lambda: client.delete_provisioned_concurrency_config(FunctionName="pc-fn",
                                                                                   Qualifier="1")),
                      recorded(exceptions, "delete_provisioned_config_doesnotexist"), names)
    assert_same_shape(put("1", 0), recorded(exceptions, "put_provisioned_invalid_param_0"), names)
    assert_same_shape(put("1", function="doesnotexist"),
                      recorded(exceptions, "put_provisioned_functionname_doesnotexist_version"), names)
    assert_same_shape(put("doesnotexist"), recorded(exceptions, "put_provisioned_qualifier_doesnotexist"), names)
    assert_same_shape(put("$LATEST"), recorded(exceptions, "put_provisioned_latest"), names)
    assert_same_shape(put("1"), recorded(lifecycle, "put_provisioned_on_version"), names)
    client.create_alias(FunctionName="pc-fn", Name="live", FunctionVersion="1")
    assert_same_shape(put("live"), recorded(lifecycle, "put_provisioned_on_alias_versionconflict"), names)
    assert_same_shape(capture(lambda: client.delete_provisioned_concurrency_config(FunctionName="pc-fn",
                                                                                   Qualifier="1")),
                      recorded(lifecycle, "delete_provisioned_version"), names)
    assert_same_shape(get("1"), recorded(lifecycle, "get_provisioned_version_postdelete"), names)
    assert_same_shape(put("live"), recorded(lifecycle, "put_provisioned_on_alias"), names)
    assert_same_shape(put("1"), recorded(lifecycle, "put_provisioned_on_version_conflict"), names)


RECORDED_HANDLER = """
def handler(event, context):
    if event.get("fail"):
        raise Exception("Handler fails")
    return {}
"""


def test_invocations(client: Any) -> None:
    features = FEATURES + "TestLambdaFeatures::"
    names = {"invoked": "<function-name:1>"}
    client.create_function(FunctionName="invoked", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": make_zip({"app.py": RECORDED_HANDLER})})
    assert_same_shape(capture(lambda: client.invoke(FunctionName="invoked", Payload=b"{}")),
                      recorded(features + "test_invocation_type_request_response[python3.10]", "invoke-result"), names)
    assert_same_shape(capture(lambda: client.invoke(FunctionName="invoked", InvocationType="Event")),
                      recorded(features + "test_invocation_type_event[python3.10]", "invoke-result"), names)
    assert_same_shape(capture(lambda: client.invoke(FunctionName="invoked", InvocationType="DryRun")),
                      recorded(features + "test_invocation_type_dry_run[python3.10]", "invoke-result"), names)
    tail = capture(lambda: client.invoke(FunctionName="invoked", LogType="Tail"))
    assert_same_shape(tail, recorded(features + "test_invocation_with_logs[python3.10]", "invoke"), names)
    assert base64.b64decode(tail["LogResult"]).decode().startswith("START RequestId: ")
    failed = capture(lambda: client.invoke(FunctionName="invoked", Payload=b'{"fail": 1}'))
    assert_same_shape(failed, recorded(FEATURES + "TestLambdaErrors::test_lambda_handler_error", "invocation_error"),
                      names)
    assert_same_shape(capture(lambda: client.invoke(FunctionName="doesnotexist")),
                      recorded(features + "test_invoke_exceptions", "invoke_function_doesnotexist"), names)
    assert_same_shape(capture(lambda: client.get_function(FunctionName="doesnotexist")),
                      _nonexisting(recorded(API + "TestLambdaFunction::test_ops_on_nonexisting_fn[get_function]",
                                            "not_found_exception")), names)


def _nonexisting(recording: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(recording).replace("<nonexisting-fn-name>", "doesnotexist"))
    return result


def test_create_function_errors(client: Any) -> None:
    test, names = API + "TestLambdaFunction::test_create_lambda_exceptions", dict[str, str]()

    def create(**overrides: Any) -> Any:
        arguments = {"FunctionName": "bad", "Runtime": "python3.12", "Role": ROLE, "Handler": "app.handler",
                     "Code": {"ZipFile": ECHO_ZIP}, **overrides}
        return capture(lambda: client.create_function(**arguments))

    assert_same_shape(create(Role="r1"), recorded(test, "invalid_role_arn_exc"), names)
    runtime = create(Runtime="non-existent-runtime")
    recording = recorded(test, "invalid_runtime_exc")
    assert_same_shape(runtime, {**recording, "message": None, "Error": {**recording["Error"], "Message": None}}, names)
    assert runtime["message"].startswith("Value non-existent-runtime at 'runtime' failed to satisfy constraint: "
                                         "Member must satisfy enum value set: [")  # our list of runtimes differs
    assert_same_shape(create(Architectures=["x86_64", "arm64"]), recorded(test, "multiple_architectures"), names)
    assert_same_shape(create(Architectures=["X86_64"]), recorded(test, "uppercase_architecture"), names)
    invalid_zip = create(Code={"ZipFile": b"this is not a zip file"})
    recording = recorded(test, "invalid_zip_exc")
    assert_same_shape(invalid_zip, {**recording, "message": None, "Error": {**recording["Error"], "Message": None}},
                      names)
    assert invalid_zip["message"].startswith(recording["message"])  # ours adds what zipfile reported
