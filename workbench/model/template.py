"""Load a SAM template (AWS::Serverless-2016-10-31) into function and layer definitions.

Every error names the file, the resource and the property, so a user can find the line to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from workbench.model import arn
from workbench.model.builds import built_code
from workbench.model.cfn_yaml import load_cfn_yaml
from workbench.model.function import ConfigError, FunctionConfig, validate_function
from workbench.model.intrinsics import IntrinsicResolver, UnresolvableError

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
SERVERLESS_LAYER = "AWS::Serverless::LayerVersion"

#: Properties of AWS::Serverless::Function the workbench reads; the rest are kept in `raw`.
_FUNCTION_PROPERTIES = {
    "CodeUri", "InlineCode", "Handler", "Runtime", "MemorySize", "Timeout", "Environment", "FunctionName",
    "Description", "EphemeralStorage", "Architectures", "Layers", "ReservedConcurrentExecutions",
    "AutoPublishAlias", "ProvisionedConcurrencyConfig", "Tracing",
}


class TemplateError(ValueError):
    """A template is invalid. The message is ``<file>: <resource>.<property>: <what is wrong>``."""

    def __init__(self, path: Path, message: str, resource: str | None = None, prop: str | None = None) -> None:
        where = ".".join(part for part in (resource, prop) if part)
        super().__init__(f"{path}: {where}: {message}" if where else f"{path}: {message}")
        self.path = path
        self.resource = resource
        self.prop = prop


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
class Template:
    path: Path
    functions: tuple[FunctionConfig, ...]
    layers: tuple[LayerDefinition, ...] = ()
    #: Resources of other types, kept as parsed (intrinsics unresolved) for later capabilities.
    other_resources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Every function resource's raw properties, including ones the workbench does not read yet (Events, ...).
    raw_functions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    autoscaling: tuple[AutoscalingDefinition, ...] = ()


def load_template(path: Path, parameter_overrides: Mapping[str, str] | None = None) -> Template:
    """Parse and validate ``path``. Raises TemplateError."""
    path = path.resolve()
    try:
        document = load_cfn_yaml(path)
    except FileNotFoundError:
        raise TemplateError(path, "template file not found") from None
    except yaml.YAMLError as exc:
        raise TemplateError(path, _describe_yaml_error(exc)) from None
    if not isinstance(document, dict):
        raise TemplateError(path, "a template must be a mapping with a Resources section")
    return _TemplateReader(path, document, parameter_overrides or {}).read()


class _TemplateReader:
    def __init__(self, path: Path, document: dict[str, Any], overrides: Mapping[str, str]) -> None:
        self.path = path
        self.base_dir = path.parent
        self.document = document
        resources = document.get("Resources")
        if not isinstance(resources, dict) or not resources:
            raise TemplateError(path, "the Resources section is missing or empty")
        self.resources: dict[str, Any] = resources
        self.stack_name = self.base_dir.name or "workbench"
        self.parameters = self._parameters(overrides)
        self.resolver = IntrinsicResolver(self.parameters, self._ref_resource, self._getatt_resource)
        self._resolving: set[str] = set()

    def _parameters(self, overrides: Mapping[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {
            "AWS::Region": arn.DEFAULT_REGION, "AWS::AccountId": arn.DEFAULT_ACCOUNT,
            "AWS::StackName": self.stack_name, "AWS::StackId": f"arn:aws:cloudformation:{arn.DEFAULT_REGION}:"
            f"{arn.DEFAULT_ACCOUNT}:stack/{self.stack_name}/local", "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com", "AWS::NotificationARNs": [],
        }
        declared = self.document.get("Parameters") or {}
        if not isinstance(declared, dict):
            raise TemplateError(self.path, "Parameters must be a mapping")
        for name, spec in declared.items():
            if name in overrides:
                values[name] = overrides[name]
            elif isinstance(spec, dict) and "Default" in spec:
                values[name] = spec["Default"]
            else:
                raise TemplateError(self.path, "has no Default and no override was given", f"Parameters.{name}")
        return values

    # -- what Ref / GetAtt give for this template's own resources --------------------------------------
    def _physical_name(self, logical_id: str) -> str | None:
        resource = self.resources.get(logical_id)
        if not isinstance(resource, dict):
            return None
        props = resource.get("Properties") or {}
        kind = resource.get("Type")
        key = {SERVERLESS_FUNCTION: "FunctionName", SERVERLESS_LAYER: "LayerName"}.get(str(kind))
        if key is None or key not in props:
            return logical_id
        if logical_id in self._resolving:
            raise UnresolvableError(f"{logical_id}.{key} refers to itself")
        self._resolving.add(logical_id)
        try:
            return str(self.resolver.resolve(props[key]))
        finally:
            self._resolving.discard(logical_id)

    def _ref_resource(self, logical_id: str) -> str | None:
        name = self._physical_name(logical_id)
        if name is not None and self.resources[logical_id].get("Type") == SERVERLESS_LAYER:
            return arn.layer_arn(name)
        return name

    def _getatt_resource(self, logical_id: str, attribute: str) -> str | None:
        name = self._physical_name(logical_id)
        if name is None:
            return None
        if self.resources[logical_id].get("Type") == SERVERLESS_FUNCTION and attribute == "Arn":
            return arn.function_arn(name)
        return f"{name}.{attribute}"

    # -- reading ---------------------------------------------------------------------------------------
    def read(self) -> Template:
        globals_section = (self.document.get("Globals") or {}).get("Function") or {}
        if not isinstance(globals_section, dict):
            raise TemplateError(self.path, "must be a mapping", "Globals", "Function")
        functions: list[FunctionConfig] = []
        layers: list[LayerDefinition] = []
        others: dict[str, Any] = {}
        raw_functions: dict[str, Any] = {}
        for logical_id, resource in self.resources.items():
            if not isinstance(resource, dict) or "Type" not in resource:
                raise TemplateError(self.path, "every resource needs a Type", logical_id)
            kind = resource["Type"]
            props = resource.get("Properties") or {}
            if not isinstance(props, dict):
                raise TemplateError(self.path, "must be a mapping", logical_id, "Properties")
            if kind == SERVERLESS_FUNCTION:
                merged = _merge_globals(globals_section, props)
                raw_functions[logical_id] = merged
                functions.append(self._function(logical_id, merged))
            elif kind == SERVERLESS_LAYER:
                layers.append(self._layer(logical_id, props))
            else:
                others[logical_id] = resource
        seen: dict[str, str] = {}
        for function in functions:
            if function.name in seen:
                raise TemplateError(self.path, f"function name {function.name!r} is also used by "
                                    f"{seen[function.name]}", function.logical_id, "FunctionName")
            seen[function.name] = function.logical_id or function.name
        autoscaling = self._autoscaling(others)
        return Template(self.path, tuple(functions), tuple(layers), others, raw_functions, autoscaling)

    def _autoscaling(self, others: Mapping[str, Any]) -> tuple[AutoscalingDefinition, ...]:
        """Scalable targets on provisioned concurrency, with the target-tracking policy that points at them."""
        policies: dict[str, tuple[str, dict[str, Any]]] = {}
        for logical_id, resource in others.items():
            if resource.get("Type") == "AWS::ApplicationAutoScaling::ScalingPolicy":
                props = self._resolve(logical_id, "Properties", resource.get("Properties") or {})
                policies[str(props.get("ScalingTargetId"))] = (logical_id, props)
        found = []
        for logical_id, resource in others.items():
            if resource.get("Type") != "AWS::ApplicationAutoScaling::ScalableTarget":
                continue
            props = self._resolve(logical_id, "Properties", resource.get("Properties") or {})
            if props.get("ScalableDimension") != "lambda:function:ProvisionedConcurrency":
                continue
            parts = str(props.get("ResourceId", "")).split(":")
            if len(parts) != 3 or parts[0] != "function":
                raise TemplateError(self.path, "must be function:<name>:<alias or version>", logical_id, "ResourceId")
            policy_id, policy = policies.get(logical_id, (None, {}))
            tracking = policy.get("TargetTrackingScalingPolicyConfiguration") or {}
            if "TargetValue" not in tracking:
                raise TemplateError(self.path, "needs a TargetTrackingScaling policy with a TargetValue",
                                    policy_id or logical_id, "TargetTrackingScalingPolicyConfiguration")
            try:
                found.append(AutoscalingDefinition(
                    parts[1], parts[2], int(props["MinCapacity"]), int(props["MaxCapacity"]),
                    float(tracking["TargetValue"]), float(tracking.get("ScaleInCooldown", 300)),
                    float(tracking.get("ScaleOutCooldown", 60))))
            except (KeyError, TypeError, ValueError) as exc:
                raise TemplateError(self.path, f"invalid or missing value ({exc})", logical_id, "Properties") from None
        return tuple(found)

    def _resolve(self, logical_id: str, prop: str, value: Any) -> Any:
        try:
            return self.resolver.resolve(value)
        except UnresolvableError as exc:
            raise TemplateError(self.path, str(exc), logical_id, prop) from None

    def _local_path(self, logical_id: str, prop: str, value: Any) -> Path:
        if isinstance(value, dict):
            raise TemplateError(self.path, "S3 locations are not reachable offline; point it at a local folder "
                                "or .zip file", logical_id, prop)
        if not isinstance(value, str):
            raise TemplateError(self.path, f"must be a path (got {value!r})", logical_id, prop)
        location = (self.base_dir / value).resolve()
        if not location.exists():
            raise TemplateError(self.path, f"{location} does not exist", logical_id, prop)
        if location.is_file() and location.suffix.lower() != ".zip":
            raise TemplateError(self.path, f"{location} is neither a folder nor a .zip file", logical_id, prop)
        return location

    def _function(self, logical_id: str, props: dict[str, Any]) -> FunctionConfig:
        values = {key: self._resolve(logical_id, key, props[key]) for key in _FUNCTION_PROPERTIES if key in props}
        inline = values.get("InlineCode")
        if inline is not None and "CodeUri" in values:
            raise TemplateError(self.path, "give CodeUri or InlineCode, not both", logical_id, "InlineCode")
        code_uri = None if inline is not None else self._local_path(logical_id, "CodeUri", values.get("CodeUri", "."))
        if code_uri is not None and isinstance(values.get("Runtime"), str):
            # A current `workbench build` of this function runs instead of its sources (as after `sam build`).
            code_uri = built_code(self.base_dir, logical_id, code_uri, values["Runtime"],
                                  build_method(self.resources[logical_id])) or code_uri
        environment = values.get("Environment") or {}
        if not isinstance(environment, dict):
            raise TemplateError(self.path, "must be a mapping with Variables", logical_id, "Environment")
        storage = values.get("EphemeralStorage") or {}
        provisioned = values.get("ProvisionedConcurrencyConfig") or {}
        tracing = values.get("Tracing", "PassThrough")
        try:
            return validate_function(
                name=values.get("FunctionName", logical_id), runtime=values.get("Runtime"),
                handler=values.get("Handler"), code_uri=code_uri, memory_size=values.get("MemorySize", 128),
                timeout=values.get("Timeout", 3), environment=environment.get("Variables"),
                description=values.get("Description", ""),
                ephemeral_storage=storage.get("Size", 512) if isinstance(storage, dict) else storage,
                logical_id=logical_id, inline_code=inline,
                architectures=values.get("Architectures", ["x86_64"]), layers=values.get("Layers", []),
                reserved_concurrency=values.get("ReservedConcurrentExecutions"),
                auto_publish_alias=values.get("AutoPublishAlias"),
                provisioned_concurrency=provisioned.get("ProvisionedConcurrentExecutions")
                if isinstance(provisioned, dict) else provisioned,
                tracing_mode="Active" if tracing in ("Active", True) else tracing,
            )
        except ConfigError as exc:
            prop = "Environment" if exc.prop.startswith("Environment") else exc.prop
            raise TemplateError(self.path, exc.message, logical_id, prop) from None

    def _layer(self, logical_id: str, props: dict[str, Any]) -> LayerDefinition:
        values = {key: self._resolve(logical_id, key, value) for key, value in props.items()}
        if "ContentUri" not in values:
            raise TemplateError(self.path, "is required", logical_id, "ContentUri")
        runtimes = values.get("CompatibleRuntimes") or []
        if not isinstance(runtimes, list):
            raise TemplateError(self.path, "must be a list", logical_id, "CompatibleRuntimes")
        return LayerDefinition(
            logical_id=logical_id, name=str(values.get("LayerName", logical_id)),
            content_uri=self._local_path(logical_id, "ContentUri", values["ContentUri"]),
            description=str(values.get("Description", "")), compatible_runtimes=tuple(map(str, runtimes)),
            license_info=values.get("LicenseInfo"),
        )


def build_method(resource: Mapping[str, Any]) -> str | None:
    """A function resource's `Metadata: BuildMethod` (go1.x, makefile, ...), as `sam build` reads it."""
    metadata = resource.get("Metadata")
    method = metadata.get("BuildMethod") if isinstance(metadata, dict) else None
    return method if isinstance(method, str) else None


def _describe_yaml_error(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"not valid YAML{where}: {problem}" + (f" ({context})" if context else "")


def _merge_globals(globals_section: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals rules: maps merge (resource wins), lists concatenate (globals first), scalars override."""
    merged: dict[str, Any] = dict(globals_section)
    for key, value in props.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict) and not _is_intrinsic(value):
            merged[key] = _merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = current + value
        else:
            merged[key] = value
    return merged


def _is_intrinsic(value: Mapping[str, Any]) -> bool:
    return len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))
