"""What a template declares for the capabilities beyond running functions, read from CloudFormation:
event source mappings, asynchronous invocation settings, dead-letter targets, deployment preferences,
SnapStart, and provisioned-concurrency autoscaling. Each becomes a typed record on `Template`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.model import arn
from workbench.model.function import FunctionConfig
from workbench.model.template.definitions import (
    AutoscalingDefinition,
    DeploymentPreferenceDefinition,
    EventInvokeConfigDefinition,
    EventSourceMappingDefinition,
)

if TYPE_CHECKING:
    from workbench.model.template.reader import _TemplateReader

_CODEDEPLOY_PREFIX = "CodeDeployDefault.Lambda"
#: AWS's bounds for EventInvokeConfig.
_RETRIES = (0, 2)
_EVENT_AGE_S = (60, 21_600)


@dataclass(slots=True)
class Features:
    event_source_mappings: tuple[EventSourceMappingDefinition, ...] = ()
    event_invoke_configs: tuple[EventInvokeConfigDefinition, ...] = ()
    dead_letter_targets: dict[str, str] = field(default_factory=dict)
    deployment_preferences: dict[str, DeploymentPreferenceDefinition] = field(default_factory=dict)
    snap_start: dict[str, str] = field(default_factory=dict)


class _Properties:
    """One resource's properties, resolved on demand, with typed getters whose errors name the property."""

    def __init__(self, reader: _TemplateReader, logical_id: str, resource: Mapping[str, Any]) -> None:
        self.reader = reader
        self.logical_id = logical_id
        self.raw: Mapping[str, Any] = resource.get("Properties") or {}

    def get(self, key: str) -> Any:
        return self.reader.resolve(self.logical_id, key, self.raw[key]) if key in self.raw else None

    def fail(self, key: str, message: str) -> Exception:
        return self.reader.error(self.logical_id, key, message)

    def integer(self, key: str, bounds: tuple[int, int] | None = None) -> int | None:
        value = self.get(key)
        if value is None:
            return None
        try:
            number = int(value)
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
        except (TypeError, ValueError):
            raise self.fail(key, f"must be an integer (got {value!r})") from None
        if bounds is not None and not bounds[0] <= number <= bounds[1]:
            raise self.fail(key, f"must be between {bounds[0]} and {bounds[1]} (got {number})")
        return number

    def boolean(self, key: str, default: bool) -> bool:
        value = self.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise self.fail(key, f"must be true or false (got {value!r})")

    def text(self, key: str) -> str | None:
        value = self.get(key)
        if value is not None and not isinstance(value, str | int | float):
            raise self.fail(key, f"must be a string (got {value!r})")
        return None if value is None else str(value)

    def function(self, key: str = "FunctionName") -> arn.FunctionRef:
        value = self.text(key)
        if value is None:
            raise self.fail(key, "is required")
        try:
            return arn.parse_function_ref(value)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None

    def destination(self, key: str, side: str) -> str | None:
        config = self.get(key) or {}
        target = config.get(side) if isinstance(config, dict) else None
        value = target.get("Destination") if isinstance(target, dict) else None
        if value is not None and not isinstance(value, str):
            raise self.fail(key, f"{side}.Destination must be an ARN (got {value!r})")
        return value


def read_features(reader: _TemplateReader, by_type: Mapping[str, Mapping[str, Any]],
                  functions: tuple[FunctionConfig, ...] | list[FunctionConfig]) -> Features:
    found = Features()
    names = {function.logical_id: function.name for function in functions}
    for logical_id, resource in by_type.get("AWS::Lambda::Function", {}).items():
        props = _Properties(reader, logical_id, resource)
        name = names.get(reader.where(logical_id, None)[0])
        if name is None:
            continue
        target = props.get("DeadLetterConfig")
        if isinstance(target, dict) and target.get("TargetArn"):
            found.dead_letter_targets[name] = str(target["TargetArn"])
        snap = props.get("SnapStart")
        if isinstance(snap, dict) and snap.get("ApplyOn", "None") != "None":
            found.snap_start[name] = str(snap["ApplyOn"])
    found.event_source_mappings = tuple(
        _event_source_mapping(reader, logical_id, resource)
        for logical_id, resource in by_type.get("AWS::Lambda::EventSourceMapping", {}).items())
    found.event_invoke_configs = tuple(
        _event_invoke_config(reader, logical_id, resource)
        for logical_id, resource in by_type.get("AWS::Lambda::EventInvokeConfig", {}).items())
    for logical_id, resource in by_type.get("AWS::Lambda::Alias", {}).items():
        preference = _deployment_preference(reader, logical_id, resource)
        if preference is not None:
            found.deployment_preferences[preference.function] = preference
    return found


def _source_resource(reader: _TemplateReader, value: Any) -> str | None:
    """The template resource an ARN property refers to (`!GetAtt Queue.Arn`, `!Ref Topic`), if any."""
    if isinstance(value, dict) and len(value) == 1:
        (key, argument), = value.items()
        target = argument[0] if key == "Fn::GetAtt" and isinstance(argument, list) and argument else argument
        if key in ("Ref", "Fn::GetAtt") and isinstance(target, str) and target in reader.resources:
            return target
    return None


def _event_source_mapping(reader: _TemplateReader, logical_id: str,
                          resource: Mapping[str, Any]) -> EventSourceMappingDefinition:
    props = _Properties(reader, logical_id, resource)
    function = props.function()
    source_arn = props.text("EventSourceArn")
    filters = (props.get("FilterCriteria") or {}).get("Filters") or []
    scaling = props.get("ScalingConfig") or {}
    if not isinstance(filters, list) or not all(isinstance(f, dict) for f in filters):
        raise props.fail("FilterCriteria", "Filters must be a list of {Pattern: ...}")
    response_types = props.get("FunctionResponseTypes") or []
    if not isinstance(response_types, list):
        raise props.fail("FunctionResponseTypes", "must be a list")
    return EventSourceMappingDefinition(
        logical_id=logical_id, function=function.name, qualifier=function.qualifier,
        event_source_arn=source_arn, source_resource=_source_resource(reader, props.raw.get("EventSourceArn")),
        enabled=props.boolean("Enabled", True), batch_size=props.integer("BatchSize", (1, 10_000)),
        maximum_batching_window_s=props.integer("MaximumBatchingWindowInSeconds", (0, 300)),
        starting_position=props.text("StartingPosition"),
        maximum_retry_attempts=props.integer("MaximumRetryAttempts", (-1, 10_000)),
        maximum_record_age_s=props.integer("MaximumRecordAgeInSeconds", (-1, 604_800)),
        bisect_batch_on_function_error=props.boolean("BisectBatchOnFunctionError", False),
        parallelization_factor=props.integer("ParallelizationFactor", (1, 10)),
        tumbling_window_s=props.integer("TumblingWindowInSeconds", (0, 900)),
        maximum_concurrency=int(scaling["MaximumConcurrency"]) if isinstance(scaling, dict)
        and "MaximumConcurrency" in scaling else None,
        function_response_types=tuple(map(str, response_types)),
        filter_patterns=tuple(str(f.get("Pattern", "")) for f in filters),
        on_failure_destination=props.destination("DestinationConfig", "OnFailure"),
        properties={key: props.get(key) for key in props.raw},
    )


def _event_invoke_config(reader: _TemplateReader, logical_id: str,
                         resource: Mapping[str, Any]) -> EventInvokeConfigDefinition:
    props = _Properties(reader, logical_id, resource)
    function = props.function()
    qualifier = props.text("Qualifier") or function.qualifier
    if qualifier is None:
        raise props.fail("Qualifier", "is required ($LATEST, a version or an alias)")
    return EventInvokeConfigDefinition(
        logical_id=logical_id, function=function.name, qualifier=qualifier,
        maximum_retry_attempts=props.integer("MaximumRetryAttempts", _RETRIES),
        maximum_event_age_s=props.integer("MaximumEventAgeInSeconds", _EVENT_AGE_S),
        on_success=props.destination("DestinationConfig", "OnSuccess"),
        on_failure=props.destination("DestinationConfig", "OnFailure"),
    )


def _deployment_preference(reader: _TemplateReader, logical_id: str,
                           resource: Mapping[str, Any]) -> DeploymentPreferenceDefinition | None:
    """From an alias's `CodeDeployLambdaAliasUpdate` update policy and the deployment group it names."""
    update = (resource.get("UpdatePolicy") or {}).get("CodeDeployLambdaAliasUpdate")
    if not isinstance(update, dict):
        return None
    group_ref = update.get("DeploymentGroupName")
    group_id = group_ref.get("Ref") if isinstance(group_ref, dict) else None
    group = reader.resources.get(group_id) if isinstance(group_id, str) else None
    if not isinstance(group, dict):
        raise reader.error(logical_id, "UpdatePolicy", "CodeDeployLambdaAliasUpdate needs the DeploymentGroupName "
                                                       "of a deployment group in this template")
    alias = _Properties(reader, logical_id, resource)
    group_props = _Properties(reader, str(group_id), group)
    config = group_props.text("DeploymentConfigName") or f"{_CODEDEPLOY_PREFIX}AllAtOnce"
    alarms = (group_props.get("AlarmConfiguration") or {}).get("Alarms") or []

    def hook(key: str) -> str | None:
        value = reader.resolve(logical_id, "UpdatePolicy", update[key]) if key in update else None
        return arn.parse_function_ref(str(value)).name if value is not None else None

    return DeploymentPreferenceDefinition(
        function=alias.function().name, alias=str(alias.text("Name")), type=config.removeprefix(_CODEDEPLOY_PREFIX),
        alarms=tuple(str(a.get("Name")) for a in alarms if isinstance(a, dict)),
        pre_traffic_hook=hook("BeforeAllowTrafficHook"), post_traffic_hook=hook("AfterAllowTrafficHook"))


def autoscaling(reader: _TemplateReader, others: Mapping[str, Any]) -> tuple[AutoscalingDefinition, ...]:
    """Scalable targets on provisioned concurrency, with the target-tracking policy that points at them."""
    policies: dict[str, tuple[str, dict[str, Any]]] = {}
    for logical_id, resource in others.items():
        if resource.get("Type") == "AWS::ApplicationAutoScaling::ScalingPolicy":
            props = reader.resolve(logical_id, "Properties", resource.get("Properties") or {})
            policies[str(props.get("ScalingTargetId"))] = (logical_id, props)
    found = []
    for logical_id, resource in others.items():
        if resource.get("Type") != "AWS::ApplicationAutoScaling::ScalableTarget":
            continue
        props = reader.resolve(logical_id, "Properties", resource.get("Properties") or {})
        if props.get("ScalableDimension") != "lambda:function:ProvisionedConcurrency":
            continue
        parts = str(props.get("ResourceId", "")).split(":")
        if len(parts) != 3 or parts[0] != "function":
            raise reader.error(logical_id, "ResourceId", "must be function:<name>:<alias or version>")
        policy_id, policy = policies.get(logical_id, (None, {}))
        tracking = policy.get("TargetTrackingScalingPolicyConfiguration") or {}
        if "TargetValue" not in tracking:
            raise reader.error(policy_id or logical_id, "TargetTrackingScalingPolicyConfiguration",
                               "needs a TargetTrackingScaling policy with a TargetValue")
        try:
            found.append(AutoscalingDefinition(
                parts[1], parts[2], int(props["MinCapacity"]), int(props["MaxCapacity"]),
                float(tracking["TargetValue"]), float(tracking.get("ScaleInCooldown", 300)),
                float(tracking.get("ScaleOutCooldown", 60))))
        except (KeyError, TypeError, ValueError) as exc:
            raise reader.error(logical_id, "Properties", f"invalid or missing value ({exc})") from None
    return tuple(found)
