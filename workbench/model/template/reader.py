"""Read a template (SAM, expanded by AWS's translator, or plain CloudFormation) into a `Template`.

Every error names the file, the resource and the property the user wrote, so they can find the line to fix:
for SAM, the SAM resource and property (`Api.CodeUri`), not the generated CloudFormation (`Api.Code`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbench.model import arn
from workbench.model.function import ConfigError, FunctionConfig, validate_function
from workbench.model.intrinsics import IntrinsicResolver, UnresolvableError
from workbench.model.template import features
from workbench.model.template.builds import build_method, built_code
from workbench.model.template.code_paths import CodePathError, local_code_path
from workbench.model.template.definitions import (
    LAMBDA_TYPES,
    QUIET_TYPES,
    RUN_TYPES,
    LayerDefinition,
    Template,
)
from workbench.model.template.errors import TemplateError
from workbench.model.template.references import ResourceReferences
from workbench.model.template.sam import (
    NO_HANDLER,
    PLACEHOLDER_BUCKET,
    SAM_TRANSFORM,
    Translation,
    needs_translation,
    translate,
)
from workbench.model.template.source import read_template_file

log = logging.getLogger(__name__)

FUNCTION = "AWS::Lambda::Function"
LAYER = "AWS::Lambda::LayerVersion"
ALIAS = "AWS::Lambda::Alias"
#: CloudFormation property -> what SAM calls it, for errors about functions the user wrote in SAM.
_SAM_NAMES = {"Code": "CodeUri", "TracingConfig": "Tracing", "DeadLetterConfig": "DeadLetterQueue",
              "Alias": "AutoPublishAlias"}


#: The problem a template without resources has (a project folder may hold one before its first function).
NO_RESOURCES = "the Resources section is missing or empty"


def load_template(path: Path, parameter_overrides: Mapping[str, str] | None = None,
                  resource_attributes: Mapping[str, Mapping[str, str]] | None = None) -> Template:
    """Parse, expand and validate ``path``. Raises TemplateError.

    ``resource_attributes`` gives what `Ref` / `Fn::GetAtt` of the template's other resources (queues,
    topics, ...) resolve to once they are provisioned locally: logical id -> {"Ref": ..., "Arn": ...}.
    """
    try:
        path = path.resolve()
    except (OSError, RuntimeError) as exc:
        raise TemplateError(path, f"cannot be resolved ({exc})") from None
    document = read_template_file(path)
    if not isinstance(document, dict):
        raise TemplateError(path, "a template must be a mapping with a Resources section")
    return _TemplateReader(path, document, parameter_overrides or {}, resource_attributes or {}).read()


class _TemplateReader:
    def __init__(self, path: Path, document: dict[str, Any], overrides: Mapping[str, str],
                 attributes: Mapping[str, Mapping[str, str]]) -> None:
        self.path = path
        self.base_dir = path.parent
        self.warnings: list[str] = []
        self.checked_paths: dict[str, Path] = {}
        resources = document.get("Resources")
        if not isinstance(resources, dict) or not resources:
            raise TemplateError(path, NO_RESOURCES)
        self._check_shape(document, resources)
        self.declared: Mapping[str, Any] = resources
        self.stack_name = self.base_dir.name or "workbench"
        self.parameters = self._parameters(document, overrides)
        self.references = ResourceReferences(resources, attributes)
        self.resolver = IntrinsicResolver(self.parameters, self.references.ref, self.references.getatt)
        self.references.resolve = self.resolver.resolve
        self.order = {logical_id: index for index, logical_id in enumerate(resources)}
        self._note_transforms(document)
        self.translation = Translation(document)
        if needs_translation(document):
            self.translation = translate(path, document, self.parameters, self.resolve)
        self.resources: dict[str, Any] = self.translation.document.get("Resources") or {}
        self.references.resources = self.resources

    def _check_shape(self, document: Mapping[str, Any], resources: Mapping[str, Any]) -> None:
        globals_section = document.get("Globals")
        if globals_section is not None and not isinstance(globals_section, dict):
            raise TemplateError(self.path, f"must be a mapping (got {type(globals_section).__name__})", "Globals")
        function_globals = (globals_section or {}).get("Function")
        if function_globals is not None and not isinstance(function_globals, dict):
            raise TemplateError(self.path, "must be a mapping", "Globals", "Function")
        for logical_id, resource in resources.items():
            if not isinstance(resource, dict) or "Type" not in resource:
                raise TemplateError(self.path, "every resource needs a Type", str(logical_id))
            if not isinstance(resource.get("Properties") or {}, dict):
                raise TemplateError(self.path, "must be a mapping", str(logical_id), "Properties")

    def _note_transforms(self, document: Mapping[str, Any]) -> None:
        transform = document.get("Transform")
        for name in transform if isinstance(transform, list) else [transform]:
            if name is not None and name != SAM_TRANSFORM:
                self.warnings.append(f"the transform {name} is not applied by the workbench")

    def _parameters(self, document: Mapping[str, Any], overrides: Mapping[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {
            "AWS::Region": arn.DEFAULT_REGION, "AWS::AccountId": arn.DEFAULT_ACCOUNT,
            "AWS::StackName": self.stack_name, "AWS::StackId": f"arn:aws:cloudformation:{arn.DEFAULT_REGION}:"
            f"{arn.DEFAULT_ACCOUNT}:stack/{self.stack_name}/local", "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com", "AWS::NotificationARNs": [],
        }
        declared = document.get("Parameters") or {}
        if not isinstance(declared, dict):
            raise TemplateError(self.path, "must be a mapping", "Parameters")
        for name, spec in declared.items():
            if name in overrides:
                values[name] = overrides[name]
            elif isinstance(spec, dict) and "Default" in spec:
                values[name] = spec["Default"]
            else:
                raise TemplateError(self.path, "has no Default and no override was given", f"Parameters.{name}")
        return values

    # -- where an error goes -----------------------------------------------------------------------------
    def where(self, logical_id: str, prop: str | None) -> tuple[str, str | None]:
        """The resource and property to name for a problem with ``prop`` of the (generated) ``logical_id``."""
        origin = self.translation.origins.get(logical_id)
        if origin is not None:
            resource, base = origin
            if base is None:
                return resource, prop
            return resource, f"{base}.{prop}" if prop and base.startswith("Events.") else base
        if logical_id in self.translation.sam_resources and prop is not None:
            head, _, rest = prop.partition(".")
            return logical_id, ".".join(part for part in (_SAM_NAMES.get(head, head), rest) if part)
        return logical_id, prop

    def error(self, logical_id: str, prop: str | None, message: str) -> TemplateError:
        resource, where = self.where(logical_id, prop)
        return TemplateError(self.path, message, resource, where)

    def resolve(self, logical_id: str, prop: str, value: Any) -> Any:
        """Resolve a property of a CloudFormation resource; errors name where the user wrote it."""
        try:
            return self.resolver.resolve(value)
        except UnresolvableError as exc:
            raise self.error(logical_id, prop, str(exc)) from None
        except RecursionError:
            raise self.error(logical_id, prop, "refers to itself through too many levels") from None

    # -- reading -----------------------------------------------------------------------------------------
    def read(self) -> Template:
        by_type: dict[str, dict[str, dict[str, Any]]] = {}
        for logical_id, resource in self.resources.items():
            if not isinstance(resource, dict) or not isinstance(resource.get("Properties") or {}, dict):
                raise self.error(logical_id, "Properties", "must be a mapping")
            by_type.setdefault(str(resource.get("Type")), {})[logical_id] = resource
        aliases = self._aliases(by_type.get(ALIAS, {}))
        functions: list[FunctionConfig] = []
        raw_functions: dict[str, Any] = {}
        for logical_id in sorted(by_type.get(FUNCTION, {}), key=self._position):
            props = by_type[FUNCTION][logical_id].get("Properties") or {}
            raw_functions[logical_id] = props
            config = self._function(logical_id, props, aliases)
            if config is not None:
                functions.append(config)
        self._refuse_duplicate_names(functions)
        layers = tuple(self._layer(logical_id, resource.get("Properties") or {})
                       for logical_id, resource in sorted(by_type.get(LAYER, {}).items(),
                                                          key=lambda item: self._position(item[0])))
        others = {logical_id: resource for logical_id, resource in self.resources.items()
                  if str(resource.get("Type")) not in LAMBDA_TYPES}
        extras = features.read_features(self, by_type, functions)
        self._warn_unrun(by_type)
        for warning in self.warnings:
            log.warning("%s: %s", self.path, warning)
        return Template(
            self.path, tuple(functions), layers, others, raw_functions, features.autoscaling(self, others),
            extras.event_source_mappings, extras.event_invoke_configs, extras.dead_letter_targets,
            extras.deployment_preferences, extras.snap_start, tuple(self.warnings))

    def _position(self, logical_id: str) -> tuple[int, str]:
        origin = self.translation.origins.get(logical_id, (logical_id, None))[0]
        return self.order.get(origin, len(self.order)), logical_id

    def _refuse_duplicate_names(self, functions: list[FunctionConfig]) -> None:
        seen: dict[str, str] = {}
        for function in functions:
            logical_id = function.logical_id or function.name
            if function.name in seen:
                raise self.error(logical_id, "FunctionName",
                                 f"function name {function.name!r} is also used by {seen[function.name]}")
            seen[function.name] = logical_id

    def _aliases(self, aliases: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, str, Any]]:
        """Function name -> (alias logical id, alias name, provisioned concurrency) of the alias the engine
        publishes the template's code to (SAM's AutoPublishAlias; in CloudFormation, the function's alias)."""
        found: dict[str, tuple[str, str, Any]] = {}
        for logical_id in sorted(aliases, key=self._position):
            props = aliases[logical_id].get("Properties") or {}
            function = self.resolve(logical_id, "FunctionName", props.get("FunctionName"))
            name = self.resolve(logical_id, "Name", props.get("Name"))
            if not isinstance(function, str) or not isinstance(name, str):
                raise self.error(logical_id, "Alias", "an alias needs a FunctionName and a Name")
            try:
                function_name = arn.parse_function_ref(function).name
            except ValueError as exc:
                raise self.error(logical_id, "FunctionName", str(exc)) from None
            provisioned = self.resolve(logical_id, "ProvisionedConcurrencyConfig",
                                       props.get("ProvisionedConcurrencyConfig") or {})
            if function_name in found:
                self.warnings.append(f"{logical_id}: only one alias per function is published from a template "
                                     f"({found[function_name][1]} is); alias {name} is not created")
                continue
            found[function_name] = (logical_id, name, provisioned)
        return found

    def _code(self, logical_id: str, code: Any) -> tuple[Path | None, str | None]:
        """(local path, inline code) of a function's `Code`."""
        if isinstance(code, str):   # `aws cloudformation package` style: a local path
            try:
                return local_code_path(self.base_dir, code, self.checked_paths), None
            except CodePathError as exc:
                raise self.error(logical_id, "Code", str(exc)) from None
        if not isinstance(code, dict):
            raise self.error(logical_id, "Code", f"must be a mapping or a local path (got {code!r})")
        if "ZipFile" in code:
            inline = self.resolve(logical_id, "InlineCode", code["ZipFile"])
            if not isinstance(inline, str):
                raise self.error(logical_id, "InlineCode", "must be text")
            return None, inline
        if code.get("S3Bucket") == PLACEHOLDER_BUCKET and str(code.get("S3Key")) in self.translation.code:
            return self.translation.code[str(code["S3Key"])].path, None
        raise self.error(logical_id, "Code", "S3 locations are not reachable offline; point it at a local "
                                             "folder or .zip file")

    def _function(self, logical_id: str, props: Mapping[str, Any],
                  aliases: Mapping[str, tuple[str, str, Any]]) -> FunctionConfig | None:
        code = props.get("Code")
        if props.get("PackageType") == "Image" or (isinstance(code, dict) and "ImageUri" in code):
            self.warnings.append(f"{self.where(logical_id, None)[0]}: container image functions are not run by "
                                 "the workbench (PackageType Image); it is left out")
            return None
        if "Code" not in props:
            raise self.error(logical_id, "Code", "is required (a local folder, a .zip file or inline code)")
        code_uri, inline = self._code(logical_id, props["Code"])
        values = {key: self.resolve(logical_id, key, props[key]) for key in (
            "Handler", "Runtime", "MemorySize", "Timeout", "Environment", "FunctionName", "Description",
            "EphemeralStorage", "Architectures", "Layers", "ReservedConcurrentExecutions", "TracingConfig", "SnapStart")
            if key in props}
        if code_uri is not None and isinstance(values.get("Runtime"), str):
            code_uri = self._built(logical_id, code_uri, values["Runtime"])
        if values.get("Handler") == NO_HANDLER:
            del values["Handler"]
        name = values.get("FunctionName", logical_id)
        environment = values.get("Environment") or {}
        if not isinstance(environment, dict):
            raise self.error(logical_id, "Environment", "must be a mapping with Variables")
        storage = values.get("EphemeralStorage") or {}
        tracing = values.get("TracingConfig") or {}
        snap = values.get("SnapStart") or {}
        alias_id, alias, provisioned = aliases.get(str(name), (None, None, None))
        provisioned_count = provisioned.get("ProvisionedConcurrentExecutions") \
            if isinstance(provisioned, dict) else provisioned
        try:
            return validate_function(
                name=name, runtime=values.get("Runtime"), handler=values.get("Handler"), code_uri=code_uri,
                memory_size=values.get("MemorySize", 128), timeout=values.get("Timeout", 3),
                environment=environment.get("Variables"), description=values.get("Description", ""),
                ephemeral_storage=storage.get("Size", 512) if isinstance(storage, dict) else storage,
                logical_id=self.where(logical_id, None)[0], inline_code=inline,
                architectures=values.get("Architectures", ["x86_64"]), layers=values.get("Layers", []),
                reserved_concurrency=values.get("ReservedConcurrentExecutions"), auto_publish_alias=alias,
                provisioned_concurrency=provisioned_count or None, role=self._role(logical_id, props),
                tracing_mode=tracing.get("Mode", "PassThrough") if isinstance(tracing, dict) else tracing,
                snap_start=snap.get("ApplyOn", "None") if isinstance(snap, dict) else snap,
            )
        except ConfigError as exc:
            prop = {"Tracing": "TracingConfig", "CodeUri": "Code"}.get(exc.prop, exc.prop)
            if prop.startswith("Environment"):
                prop = "Environment"
            if prop in ("ProvisionedConcurrencyConfig", "AutoPublishAlias") and alias_id is not None:
                raise self.error(alias_id, prop, exc.message) from None
            raise self.error(logical_id, prop, exc.message) from None

    def _built(self, logical_id: str, code_uri: Path, runtime: str) -> Path:
        """A current `workbench build` of the function runs instead of its sources (as after `sam build`);
        builds are kept under the logical id the user wrote (the SAM function's)."""
        declared_id = self.where(logical_id, None)[0]
        resource = self.declared.get(declared_id)
        method = build_method(resource) if isinstance(resource, dict) else None
        return built_code(self.base_dir, declared_id, code_uri, runtime, method) or code_uri

    def _role(self, logical_id: str, props: Mapping[str, Any]) -> str:
        """The execution role's ARN; only shown (permissions are not enforced), so an unknowable one is
        replaced by the default rather than failing the template."""
        default = FunctionConfig.__dataclass_fields__["role"].default
        try:
            role = self.resolver.resolve(props.get("Role", default))
        except UnresolvableError:
            return str(default)
        return role if isinstance(role, str) and role else str(default)

    def _layer(self, logical_id: str, props: Mapping[str, Any]) -> LayerDefinition:
        values = {key: self.resolve(logical_id, key, value) for key, value in props.items() if key != "Content"}
        if "Content" not in props:
            raise self.error(logical_id, "ContentUri", "is required")
        content = props["Content"]
        try:
            if isinstance(content, dict) and content.get("S3Bucket") == PLACEHOLDER_BUCKET:
                location = self.translation.code[str(content.get("S3Key"))].path
            else:
                location = local_code_path(self.base_dir, content, self.checked_paths)
        except (CodePathError, KeyError) as exc:
            raise self.error(logical_id, "ContentUri" if logical_id in self.translation.origins else "Content",
                             str(exc)) from None
        runtimes = values.get("CompatibleRuntimes") or []
        if not isinstance(runtimes, list):
            raise self.error(logical_id, "CompatibleRuntimes", "must be a list")
        source_id = self.where(logical_id, None)[0]
        return LayerDefinition(
            logical_id=source_id, name=str(values.get("LayerName", source_id)), content_uri=location,
            description=str(values.get("Description", "")), compatible_runtimes=tuple(map(str, runtimes)),
            license_info=values.get("LicenseInfo"),
        )

    def _warn_unrun(self, by_type: Mapping[str, Mapping[str, Any]]) -> None:
        for kind in sorted(by_type):
            if kind in RUN_TYPES or kind in QUIET_TYPES:
                continue
            ids = ", ".join(sorted(by_type[kind]))
            self.warnings.append(f"{kind} is not run by the workbench yet: {ids}")
