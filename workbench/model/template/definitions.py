"""What a loaded template declares, as typed data: the functions and layers the workbench runs, and the
event sources, invocation settings and deployment preferences the next capabilities will run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.model.function import FunctionConfig

#: CloudFormation resource types the workbench runs.
RUN_TYPES = frozenset({
    "AWS::Lambda::Function", "AWS::Lambda::Version", "AWS::Lambda::Alias", "AWS::Lambda::LayerVersion",
    "AWS::ApplicationAutoScaling::ScalableTarget", "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::EventInvokeConfig",
})
#: Types accepted without a warning: permissions are not enforced locally, and CodeDeploy's resources are
#: read as each function's deployment preference.
QUIET_TYPES = frozenset({
    "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::Lambda::Permission",
    "AWS::Lambda::LayerVersionPermission", "AWS::CodeDeploy::Application", "AWS::CodeDeploy::DeploymentGroup",
})
#: Lambda's own resource types: read into the typed fields below, never kept in `Template.others`.
LAMBDA_TYPES = frozenset({
    "AWS::Lambda::Function", "AWS::Lambda::Version", "AWS::Lambda::Alias", "AWS::Lambda::LayerVersion",
    "AWS::Lambda::EventSourceMapping", "AWS::Lambda::EventInvokeConfig", "AWS::Lambda::Permission",
    "AWS::Lambda::LayerVersionPermission",
})


@dataclass(frozen=True, slots=True)
class LayerDefinition:
    logical_id: str
    name: str
    content_uri: Path
    description: str = ""
    compatible_runtimes: tuple[str, ...] = ()
    license_info: str | None = None


@dataclass(frozen=True, slots=True)
class AutoscalingDefinition:
    """An Application Auto Scaling target + target-tracking policy on a function alias's provisioned
    concurrency (`lambda:function:ProvisionedConcurrency`)."""

    function: str
    qualifier: str
    min_capacity: int
    max_capacity: int
    target_utilisation: float
    scale_in_cooldown_s: float = 300.0
    scale_out_cooldown_s: float = 60.0


@dataclass(frozen=True, slots=True)
class EventSourceMappingDefinition:
    """An `AWS::Lambda::EventSourceMapping` (SAM: an `Events` entry of type SQS, Kinesis or DynamoDB).

    The typed fields are the ones pollers need; ``properties`` holds every property, intrinsics resolved.
    ``source_resource`` is the template resource the source ARN came from (`!GetAtt Queue.Arn`), if any.
    """

    logical_id: str
    function: str
    qualifier: str | None
    event_source_arn: str | None
    source_resource: str | None = None
    enabled: bool = True
    batch_size: int | None = None
    maximum_batching_window_s: int | None = None
    starting_position: str | None = None
    maximum_retry_attempts: int | None = None
    maximum_record_age_s: int | None = None
    bisect_batch_on_function_error: bool = False
    parallelization_factor: int | None = None
    tumbling_window_s: int | None = None
    maximum_concurrency: int | None = None
    function_response_types: tuple[str, ...] = ()
    filter_patterns: tuple[str, ...] = ()
    on_failure_destination: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EventInvokeConfigDefinition:
    """Asynchronous invocation settings of one function qualifier (`AWS::Lambda::EventInvokeConfig`;
    SAM: `EventInvokeConfig`). Destinations are ARNs."""

    logical_id: str
    function: str
    qualifier: str
    maximum_retry_attempts: int | None = None
    maximum_event_age_s: int | None = None
    on_success: str | None = None
    on_failure: str | None = None


@dataclass(frozen=True, slots=True)
class DeploymentPreferenceDefinition:
    """SAM's `DeploymentPreference` (CodeDeploy traffic shifting on the AutoPublishAlias).

    ``type`` is SAM's name (``Canary10Percent5Minutes``, ``Linear10PercentEvery1Minute``, ``AllAtOnce``) or
    the full name of a custom CodeDeploy configuration; hooks are function names."""

    function: str
    alias: str
    type: str
    alarms: tuple[str, ...] = ()
    pre_traffic_hook: str | None = None
    post_traffic_hook: str | None = None


@dataclass(frozen=True, slots=True)
class Template:
    path: Path
    functions: tuple[FunctionConfig, ...]
    layers: tuple[LayerDefinition, ...] = ()
    #: Every resource that is not Lambda's own, as CloudFormation (after the SAM transform; intrinsics
    #: unresolved), by logical id: queues, topics, tables, roles, autoscaling, ...
    others: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Each function's CloudFormation properties (after the SAM transform; intrinsics unresolved).
    raw_functions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    autoscaling: tuple[AutoscalingDefinition, ...] = ()
    event_source_mappings: tuple[EventSourceMappingDefinition, ...] = ()
    event_invoke_configs: tuple[EventInvokeConfigDefinition, ...] = ()
    #: Function name -> `DeadLetterConfig.TargetArn` (SAM: `DeadLetterQueue`).
    dead_letter_targets: Mapping[str, str] = field(default_factory=dict)
    #: Function name -> its deployment preference.
    deployment_preferences: Mapping[str, DeploymentPreferenceDefinition] = field(default_factory=dict)
    #: Function name -> `SnapStart.ApplyOn` (``PublishedVersions``), for functions that set it.
    snap_start: Mapping[str, str] = field(default_factory=dict)
    #: What the template declares that the workbench does not run, one line per resource type.
    warnings: tuple[str, ...] = ()

    @property
    def other_resources(self) -> Mapping[str, Mapping[str, Any]]:
        """The earlier name of `others`."""
        return self.others
