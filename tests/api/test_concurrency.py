"""Reserved and provisioned concurrency and account settings through the API with a real boto3 client."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ServerThread, create_echo, invoke

ARN = "arn:aws:lambda:us-east-1:123456789012:function:echo"


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def test_function_concurrency(client: Any) -> None:
    create_echo(client)
    assert "ReservedConcurrentExecutions" not in client.get_function_concurrency(FunctionName="echo")
    put = client.put_function_concurrency(FunctionName="echo", ReservedConcurrentExecutions=5)
    assert put["ReservedConcurrentExecutions"] == 5
    assert client.get_function_concurrency(FunctionName=ARN)["ReservedConcurrentExecutions"] == 5
    assert client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 995
    deleted = client.delete_function_concurrency(FunctionName="echo")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "ReservedConcurrentExecutions" not in client.get_function_concurrency(FunctionName="echo")
    with pytest.raises(ClientError) as too_much:
        client.put_function_concurrency(FunctionName="echo", ReservedConcurrentExecutions=950)
    assert _error(too_much)[:2] == (400, "InvalidParameterValueException")
    assert "below its minimum value of [100]" in _error(too_much)[2]
    assert "Type" not in too_much.value.response  # AWS sends this one without a Type
    with pytest.raises(ClientError) as qualified:
        client.put_function_concurrency(FunctionName="echo:1", ReservedConcurrentExecutions=1)
    assert _error(qualified)[2].startswith("This operation is permitted on Lambda functions only.")
    with pytest.raises(ClientError) as missing:
        client.put_function_concurrency(FunctionName="nope", ReservedConcurrentExecutions=1)
    assert _error(missing) == (404, "ResourceNotFoundException", "Function not found: "
                               "arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST")


def test_provisioned_concurrency_lifecycle(client: Any, server: ServerThread) -> None:
    create_echo(client, Publish=True)
    client.create_alias(FunctionName="echo", Name="live", FunctionVersion="1")
    put = client.put_provisioned_concurrency_config(FunctionName="echo", Qualifier="live",
                                                    ProvisionedConcurrentExecutions=2)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["RequestedProvisionedConcurrentExecutions"] == 2 and put["Status"] in ("IN_PROGRESS", "READY")
    assert server.engine is not None
    server.call(server.engine.wait_provisioned_ready("echo"))
    got = client.get_provisioned_concurrency_config(FunctionName="echo", Qualifier="live")
    assert (got["Status"], got["AllocatedProvisionedConcurrentExecutions"],
            got["AvailableProvisionedConcurrentExecutions"]) == ("READY", 2, 2)
    listed = client.list_provisioned_concurrency_configs(FunctionName="echo")["ProvisionedConcurrencyConfigs"]
    assert [(c["FunctionArn"], c["Status"]) for c in listed] == [(f"{ARN}:live", "READY")]
    assert invoke(client, FunctionName="echo:live")["ExecutedVersion"] == "1"
    statistics = server.engine.statistics().function("echo")
    assert statistics.cold_starts == 0  # served by a provisioned environment
    with pytest.raises(ClientError) as conflict:
        client.put_provisioned_concurrency_config(FunctionName="echo", Qualifier="1", ProvisionedConcurrentExecutions=1)
    assert _error(conflict) == (409, "ResourceConflictException",
                                "Version is pointed by a Provisioned Concurrency alias")
    deleted = client.delete_provisioned_concurrency_config(FunctionName="echo", Qualifier="live")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as gone:
        client.get_provisioned_concurrency_config(FunctionName="echo", Qualifier="live")
    assert _error(gone) == (404, "ProvisionedConcurrencyConfigNotFoundException",
                            "No Provisioned Concurrency Config found for this function")
    assert client.list_provisioned_concurrency_configs(FunctionName="echo")["ProvisionedConcurrencyConfigs"] == []
    deadline = time.monotonic() + 10
    while server.engine.statistics().function("echo").environments:  # the provisioned environments are stopped
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_provisioned_concurrency_errors(client: Any) -> None:
    create_echo(client, Publish=True)
    cases = [
        ("put", "$LATEST", (400, "InvalidParameterValueException",
                            "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")),
        ("get", "$LATEST", (400, "InvalidParameterValueException",
                            "The function resource provided must be an alias or a published version.")),
        ("get", "10", (404, "ResourceNotFoundException", f"Function not found: {ARN}:10")),
        ("get", "noalias", (404, "ResourceNotFoundException", f"Cannot find alias arn: {ARN}:noalias")),
        ("delete", "noalias", (404, "ResourceNotFoundException", f"Cannot find alias arn: {ARN}:noalias")),
    ]
    for operation, qualifier, expected in cases:
        with pytest.raises(ClientError) as failed:
            if operation == "put":
                client.put_provisioned_concurrency_config(FunctionName="echo", Qualifier=qualifier,
                                                          ProvisionedConcurrentExecutions=1)
            elif operation == "get":
                client.get_provisioned_concurrency_config(FunctionName="echo", Qualifier=qualifier)
            else:
                client.delete_provisioned_concurrency_config(FunctionName="echo", Qualifier=qualifier)
        assert _error(failed) == expected, (operation, qualifier)
    # deleting a configuration that does not exist, of a version that does, succeeds
    deleted = client.delete_provisioned_concurrency_config(FunctionName="echo", Qualifier="1")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    client.put_function_concurrency(FunctionName="echo", ReservedConcurrentExecutions=1)
    with pytest.raises(ClientError) as over_reserved:
        client.put_provisioned_concurrency_config(FunctionName="echo", Qualifier="1",
                                                  ProvisionedConcurrentExecutions=2)
    assert _error(over_reserved) == (400, "InvalidParameterValueException", "Requested Provisioned Concurrency should "
                                     "not be greater than the reservedConcurrentExecution for function")


def test_account_settings(client: Any) -> None:
    created = create_echo(client, Publish=True)
    layer = client.publish_layer_version(LayerName="l", Content={"ZipFile": b"PK\x05\x06" + b"\0" * 18})
    settings = client.get_account_settings()
    assert settings["AccountLimit"] == {"TotalCodeSize": 80530636800, "CodeSizeUnzipped": 262144000,
                                        "CodeSizeZipped": 52428800, "ConcurrentExecutions": 1000,
                                        "UnreservedConcurrentExecutions": 1000}
    assert settings["AccountUsage"] == {"FunctionCount": 1, "TotalCodeSize": 2 * created["CodeSize"]
                                        + layer["Content"]["CodeSize"]}
