"""The response shapes of the Lambda API (botocore's model), rendered from the engine's objects.

Key names and casing follow the model exactly; which optional members appear follows responses recorded from
AWS (`tests/api/test_recorded_shapes.py` compares them).

Function state: the engine applies a create or an update completely before answering, so the answer to the
request itself reports the transitional state AWS reports (State Pending / LastUpdateStatus InProgress) and
every later read reports the settled one (Active / Successful). SDK waiters (`function_active_v2`,
`function_updated_v2`, ...) therefore succeed on their first poll.
"""

from __future__ import annotations

import time
from enum import Enum
from typing import Any

from workbench.engine import Alias, FunctionVersion, LayerVersion, ProvisionedConfig

_BEING_CREATED = "The function is being created."


class Phase(Enum):
    CREATED = "created"   # CreateFunction's answer
    UPDATED = "updated"   # UpdateFunctionCode / UpdateFunctionConfiguration's answer
    CURRENT = "current"   # GetFunction, GetFunctionConfiguration, PublishVersion
    LISTED = "listed"     # ListFunctions, ListVersionsByFunction: AWS leaves the state members out


def timestamp(epoch: float) -> str:
    """Lambda's timestamp format: 2024-05-01T12:34:56.789+0000."""
    seconds = int(epoch)
    millis = int((epoch - seconds) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}+0000"


def function_configuration(version: FunctionVersion, arn: str, phase: Phase,
                           runtime_version_arn: str | None = None,
                           snapshot_failure: str | None = None) -> dict[str, Any]:
    """FunctionConfiguration of ``version`` as seen through ``arn`` (unqualified, or qualified by the version or
    alias the caller named). ``runtime_version_arn`` is needed for every phase but LISTED. ``snapshot_failure``:
    why the version's SnapStart snapshot failed (the version is then Failed, as on AWS)."""
    config = version.config
    # OptimizationStatus is On for the published versions SnapStart applies to; $LATEST is never snapshotted.
    optimized = config.snap_start == "PublishedVersions" and version.version != "$LATEST"
    document: dict[str, Any] = {
        "FunctionName": config.name,
        "FunctionArn": arn,
        "Runtime": config.runtime,
        "Role": config.role,
        "Handler": config.handler,
        "CodeSize": version.code.code_size,
        "Description": version.description,
        "Timeout": config.timeout,
        "MemorySize": config.memory_size,
        "LastModified": timestamp(version.last_modified),
        "CodeSha256": version.code.code_sha256,
        "Version": version.version,
        "TracingConfig": {"Mode": config.tracing_mode},
        "RevisionId": version.revision_id,
        "PackageType": "Zip",
        "Architectures": list(config.architectures),
        "EphemeralStorage": {"Size": config.ephemeral_storage},
        "SnapStart": {"ApplyOn": config.snap_start, "OptimizationStatus": "On" if optimized else "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{config.name}"},
    }
    if config.dead_letter_target:
        document["DeadLetterConfig"] = {"TargetArn": config.dead_letter_target}
    if config.environment:
        document["Environment"] = {"Variables": dict(config.environment)}
    if version.layers:
        document["Layers"] = [{"Arn": layer.arn, "CodeSize": layer.content.code_size} for layer in version.layers]
    if phase is Phase.LISTED:
        return document
    document["RuntimeVersionConfig"] = {"RuntimeVersionArn": runtime_version_arn}
    if phase is Phase.CREATED:
        document.update(State="Pending", StateReason=_BEING_CREATED, StateReasonCode="Creating")
    elif phase is Phase.UPDATED:
        document.update(State="Active", LastUpdateStatus="InProgress", LastUpdateStatusReason=_BEING_CREATED,
                        LastUpdateStatusReasonCode="Creating")
    elif snapshot_failure is not None:
        document.update(State="Failed", StateReason=snapshot_failure, StateReasonCode="FunctionError",
                        LastUpdateStatus="Successful")
    else:
        document.update(State="Active", LastUpdateStatus="Successful")
    return document


def alias_configuration(alias: Alias, arn: str) -> dict[str, Any]:
    document: dict[str, Any] = {"AliasArn": arn, "Name": alias.name, "FunctionVersion": alias.function_version,
                                "Description": alias.description, "RevisionId": alias.revision_id}
    if alias.additional_weights:
        document["RoutingConfig"] = {"AdditionalVersionWeights": dict(alias.additional_weights)}
    return document


def layer_version_item(layer: LayerVersion) -> dict[str, Any]:
    """LayerVersionsListItem: a layer version without its content."""
    document: dict[str, Any] = {"LayerVersionArn": layer.arn, "Version": layer.version,
                                "Description": layer.description, "CreatedDate": timestamp(layer.created)}
    if layer.compatible_runtimes:
        document["CompatibleRuntimes"] = list(layer.compatible_runtimes)
    if layer.compatible_architectures:
        document["CompatibleArchitectures"] = list(layer.compatible_architectures)
    if layer.license_info is not None:
        document["LicenseInfo"] = layer.license_info
    return document


def layer_version(layer: LayerVersion, location: str) -> dict[str, Any]:
    """PublishLayerVersion's and GetLayerVersion's answer."""
    return {
        "Content": {"Location": location, "CodeSha256": layer.content.code_sha256,
                    "CodeSize": layer.content.code_size},
        "LayerArn": layer.layer_arn,
        **layer_version_item(layer),
    }


def provisioned_config(config: ProvisionedConfig, arn: str | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "RequestedProvisionedConcurrentExecutions": config.requested,
        "AvailableProvisionedConcurrentExecutions": config.available,
        "AllocatedProvisionedConcurrentExecutions": config.allocated,
        "Status": config.status,
        "LastModified": timestamp(config.last_modified),
    }
    if config.reason:
        document["StatusReason"] = config.reason
    if arn is not None:
        document["FunctionArn"] = arn
    return document
