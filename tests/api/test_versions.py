"""Versions and aliases through the API with a real boto3 client."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import create_echo, invoke

ARN = "arn:aws:lambda:us-east-1:123456789012:function:echo"


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def _two_versions(client: Any) -> None:
    create_echo(client, Environment={"Variables": {"STAGE": "one"}})
    client.publish_version(FunctionName="echo")
    client.update_function_configuration(FunctionName="echo", Environment={"Variables": {"STAGE": "two"}})
    client.publish_version(FunctionName="echo")


def test_publish_version_snapshots_code_and_configuration(client: Any) -> None:
    created = create_echo(client, Description="base")
    first = client.publish_version(FunctionName="echo", Description="first release")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (first["Version"], first["FunctionArn"], first["Description"]) == ("1", f"{ARN}:1", "first release")
    assert (first["State"], first["LastUpdateStatus"]) == ("Active", "Successful")
    assert first["CodeSha256"] == created["CodeSha256"]
    again = client.publish_version(FunctionName="echo")
    assert again["Version"] == "1"   # nothing changed since version 1: no new version
    client.update_function_configuration(FunctionName="echo", Description="second", MemorySize=256)
    second = client.publish_version(FunctionName="echo")
    assert (second["Version"], second["MemorySize"]) == ("2", 256)
    assert client.get_function_configuration(FunctionName="echo", Qualifier="1")["MemorySize"] == 128
    with pytest.raises(ClientError) as sha:
        client.publish_version(FunctionName="echo", CodeSha256="not-the-sha")
    assert _error(sha)[:2] == (400, "InvalidParameterValueException")
    with pytest.raises(ClientError) as revision:
        client.publish_version(FunctionName="echo", RevisionId="stale")
    assert _error(revision)[:2] == (412, "PreconditionFailedException")


def test_version_numbers_are_never_reused(client: Any) -> None:
    create_echo(client, Publish=True)
    client.delete_function(FunctionName="echo", Qualifier="1")
    client.update_function_configuration(FunctionName="echo", Description="after delete")
    assert client.publish_version(FunctionName="echo")["Version"] == "2"


def test_list_versions_by_function_with_qualified_arns_and_paging(client: Any) -> None:
    _two_versions(client)
    listed = client.list_versions_by_function(FunctionName="echo")["Versions"]
    assert [(v["Version"], v["FunctionArn"]) for v in listed] == [
        ("$LATEST", f"{ARN}:$LATEST"), ("1", f"{ARN}:1"), ("2", f"{ARN}:2")]
    assert [v["Environment"]["Variables"]["STAGE"] for v in listed] == ["two", "one", "two"]
    first = client.list_versions_by_function(FunctionName="echo", MaxItems=2)
    rest = client.list_versions_by_function(FunctionName="echo", Marker=first["NextMarker"])
    assert [v["Version"] for v in first["Versions"] + rest["Versions"]] == ["$LATEST", "1", "2"]
    configuration = client.get_function(FunctionName="echo", Qualifier="2")["Configuration"]
    assert (configuration["FunctionArn"], configuration["Version"]) == (f"{ARN}:2", "2")


def test_alias_lifecycle(client: Any) -> None:
    _two_versions(client)
    created = client.create_alias(FunctionName="echo", Name="live", FunctionVersion="1", Description="prod")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (created["AliasArn"], created["FunctionVersion"], created["Description"]) == (f"{ARN}:live", "1", "prod")
    assert "RoutingConfig" not in created
    assert client.get_alias(FunctionName="echo", Name="live")["RevisionId"] == created["RevisionId"]
    through_alias = client.get_function(FunctionName="echo", Qualifier="live")["Configuration"]
    assert (through_alias["FunctionArn"], through_alias["Version"]) == (f"{ARN}:live", "1")
    response = invoke(client, FunctionName="echo:live")
    assert response["ExecutedVersion"] == "1"
    assert json.loads(response["Payload"])["arn"] == f"{ARN}:live"
    updated = client.update_alias(FunctionName="echo", Name="live", FunctionVersion="2")
    assert updated["FunctionVersion"] == "2" and updated["RevisionId"] != created["RevisionId"]
    with pytest.raises(ClientError) as stale:
        client.update_alias(FunctionName="echo", Name="live", Description="x", RevisionId=created["RevisionId"])
    assert _error(stale)[:2] == (412, "PreconditionFailedException")
    assert invoke(client, FunctionName="echo", Qualifier="live")["ExecutedVersion"] == "2"
    client.create_alias(FunctionName="echo", Name="old", FunctionVersion="1")
    client.create_alias(FunctionName="echo", Name="edge", FunctionVersion="$LATEST")
    assert [a["Name"] for a in client.list_aliases(FunctionName="echo")["Aliases"]] == ["edge", "live", "old"]
    assert [a["Name"] for a in client.list_aliases(FunctionName="echo", FunctionVersion="1")["Aliases"]] == ["old"]
    page = client.list_aliases(FunctionName="echo", MaxItems=2)
    assert len(page["Aliases"]) == 2 and page["NextMarker"]
    assert client.delete_alias(FunctionName="echo", Name="old")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as gone:
        client.get_alias(FunctionName="echo", Name="old")
    assert _error(gone) == (404, "ResourceNotFoundException", f"Cannot find alias arn: {ARN}:old")


def test_weighted_routing_is_honoured_per_request(client: Any) -> None:
    _two_versions(client)
    alias = client.create_alias(FunctionName="echo", Name="canary", FunctionVersion="1",
                                RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    assert alias["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.5}}
    executed = Counter(invoke(client, FunctionName="echo", Qualifier="canary")["ExecutedVersion"] for _ in range(80))
    assert set(executed) == {"1", "2"} and min(executed.values()) >= 15, executed
    client.update_alias(FunctionName="echo", Name="canary", RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}})
    assert {invoke(client, FunctionName="echo:canary")["ExecutedVersion"] for _ in range(10)} == {"2"}
    reset = client.update_alias(FunctionName="echo", Name="canary", FunctionVersion="1",
                                RoutingConfig={"AdditionalVersionWeights": {}})
    assert "RoutingConfig" not in reset
    assert {invoke(client, FunctionName="echo:canary")["ExecutedVersion"] for _ in range(10)} == {"1"}


def test_alias_errors(client: Any) -> None:
    _two_versions(client)
    cases: list[tuple[dict[str, Any], tuple[int, str, str]]] = [
        ({"Name": "a", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.5, "3": 0.1}}},
         (400, "InvalidParameterValueException", "Number of items in AdditionalVersionWeights cannot be greater "
                                                 "than 1")),
        ({"Name": "a", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"1": 0.5}}},
         (400, "InvalidParameterValueException", "Invalid function version 1. Function version 1 is already "
                                                 "included in routing configuration.")),
        ({"Name": "a", "FunctionVersion": "10"},
         (404, "ResourceNotFoundException", f"Function not found: {ARN}:10")),
        ({"Name": "a", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"10": 0.5}}},
         (404, "ResourceNotFoundException", f"Function not found: {ARN}:10")),
        ({"Name": "a", "FunctionVersion": "$LATEST", "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.5}}},
         (400, "InvalidParameterValueException", "$LATEST is not supported for an alias pointing to more than 1 "
                                                 "version")),
        ({"Name": "a", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 2.0}}},
         (400, "ValidationException",
          "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' failed to "
          "satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to "
          "1.0, Member must have value greater than or equal to 0.0, Member must not be null]")),
    ]
    for arguments, expected in cases:
        with pytest.raises(ClientError) as failed:
            client.create_alias(FunctionName="echo", **arguments)
        assert _error(failed) == expected, arguments
    client.create_alias(FunctionName="echo", Name="taken", FunctionVersion="1")
    with pytest.raises(ClientError) as taken:
        client.create_alias(FunctionName="echo", Name="taken", FunctionVersion="2")
    assert _error(taken) == (409, "ResourceConflictException", f"Alias already exists: {ARN}:taken")
    with pytest.raises(ClientError) as unknown_function:
        client.create_alias(FunctionName="echo-unknown", Name="x", FunctionVersion="1")
    assert _error(unknown_function) == (404, "ResourceNotFoundException", f"Function not found: {ARN}-unknown:1")
    with pytest.raises(ClientError) as in_use:
        client.delete_function(FunctionName="echo", Qualifier="1")
    assert _error(in_use)[:2] == (409, "ResourceConflictException")
