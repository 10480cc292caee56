"""SAM through AWS's own translator (`aws-sam-translator`, what SAM CLI uses), offline.

The translator expects code in S3, so each local `CodeUri` / `ContentUri` is swapped for a placeholder S3
location before translating and mapped back afterwards (`LocalCode`). The region is given, so it never asks
boto3 for one. Its errors become `file: Resource.Property: problem`, naming the SAM resource the user wrote
(an error in a generated `FnQ` event source mapping points at `Fn.Events.Q`).

Importing the translator costs about a quarter of a second, so translations are cached by their input
(`sam_cache`): a project that starts again with an unchanged template does not import it at all.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.model import arn
from workbench.model.template import sam_cache
from workbench.model.template.code_paths import CodePathError, local_code_path
from workbench.model.template.errors import TemplateError

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
SERVERLESS_FUNCTION = "AWS::Serverless::Function"
SERVERLESS_LAYER = "AWS::Serverless::LayerVersion"
#: The bucket of the placeholder locations; never contacted (nothing here talks to S3).
PLACEHOLDER_BUCKET = "workbench-local-code"
#: SAM insists on a Handler; custom runtimes (`provided*`) need none, and the workbench accepts none.
NO_HANDLER = "workbench:no-handler"

_RESOURCE_ERROR = re.compile(r"^Resource with id \[(?P<id>[^\]]*)\] is invalid\. (?P<rest>.*)$", re.DOTALL)
_EVENT_ERROR = re.compile(r"^Event with id \[(?P<id>[^\]]*)\] is invalid\. (?P<rest>.*)$", re.DOTALL)
_PROPERTY_NAMED = re.compile(r"[Pp]roperty '(?:Properties\.)?(?P<name>[A-Za-z0-9_.]+)'")
#: Generated resources whose logical id is the SAM function's id plus one of these: what they came from.
_GENERATED_SUFFIXES = (("EventInvokeConfig", "EventInvokeConfig"), ("DeploymentGroup", "DeploymentPreference"),
                       ("Alias", "AutoPublishAlias"), ("Version", "AutoPublishAlias"), ("Role", "Role"))

#: SAM properties a message may name although the resource does not set them.
_COMMON_PROPERTIES = frozenset({
    "Handler", "Runtime", "CodeUri", "InlineCode", "ImageUri", "PackageType", "AutoPublishAlias",
    "ProvisionedConcurrencyConfig", "DeploymentPreference", "Events", "ContentUri", "Layers", "Role", "Policies",
})
#: Resolves an intrinsic in a SAM property before translation: (logical id, property, value) -> value.
Resolve = Callable[[str, str, Any], Any]


@dataclass(frozen=True, slots=True)
class LocalCode:
    """Where a placeholder S3 key came from: the SAM resource (or ``Globals``), its property, the path."""

    resource: str
    prop: str
    path: Path


@dataclass(frozen=True, slots=True)
class Translation:
    document: dict[str, Any]
    #: Placeholder S3 key -> the local code it stands for.
    code: Mapping[str, LocalCode] = field(default_factory=dict)
    #: Logical ids of the resources the template declared as SAM resources.
    sam_resources: frozenset[str] = frozenset()
    #: Generated logical id -> (SAM resource, property) it came from.
    origins: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)


def needs_translation(document: Mapping[str, Any]) -> bool:
    transform = document.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    if SAM_TRANSFORM in transforms:
        return True
    resources = document.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::Serverless::") for r in resources.values())


def translate(path: Path, document: dict[str, Any], parameters: Mapping[str, Any], resolve: Resolve) -> Translation:
    """The CloudFormation the SAM ``document`` stands for. ``document`` is not changed. Raises TemplateError."""
    source = json.loads(json.dumps(document, default=str))   # a private copy, dates and oddities as text
    code = _swap_local_code(path, source, resolve)
    parameter_values = {k: v for k, v in parameters.items() if k != "AWS::NotificationARNs"}
    key = sam_cache.cache_key(source, parameter_values)
    cache_dir = sam_cache.cache_dir_for(path)
    translated = sam_cache.load(key, cache_dir)
    if translated is None:
        translated = _run_translator(path, source, parameter_values)
        sam_cache.store(key, translated, cache_dir)
    sam_ids = frozenset(logical_id for logical_id, resource in document["Resources"].items()
                        if isinstance(resource, dict) and str(resource.get("Type", "")).startswith("AWS::Serverless::"))
    return Translation(translated, code, sam_ids, _origins(document, translated, code))


def _swap_local_code(path: Path, source: dict[str, Any], resolve: Resolve) -> dict[str, LocalCode]:
    """Replace each local code location by a placeholder S3 URI (in place); return what each stands for."""
    base_dir = path.parent
    found: dict[str, LocalCode] = {}
    checked: dict[str, Path] = {}

    def swap(container: dict[str, Any], owner: str, key: str, prop: str) -> None:
        value = container[key]
        if isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith(("Ref", "Fn::")):
            value = resolve(owner, prop, value)
        try:
            location = local_code_path(base_dir, value, checked)
        except CodePathError as exc:
            raise TemplateError(path, str(exc), owner, prop) from None
        placeholder = f"{owner}/{key}"
        found[placeholder] = LocalCode(owner, prop, location)
        container[key] = f"s3://{PLACEHOLDER_BUCKET}/{placeholder}"

    globals_section = source.get("Globals")
    global_function = globals_section.get("Function") if isinstance(globals_section, dict) else None
    global_function = global_function if isinstance(global_function, dict) else {}
    if "CodeUri" in global_function:
        swap(global_function, "Globals", "CodeUri", "Function.CodeUri")
    for logical_id, resource in source["Resources"].items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties", {}), dict):
            continue   # the translator names what is wrong with it
        kind = resource.get("Type")
        if kind == SERVERLESS_FUNCTION:
            props = resource.setdefault("Properties", {})
            runtime = props.get("Runtime", global_function.get("Runtime"))
            if isinstance(runtime, str) and runtime.startswith("provided") and not any(
                    "Handler" in d for d in (props, global_function)):
                props["Handler"] = NO_HANDLER
            if "CodeUri" in props:
                swap(props, logical_id, "CodeUri", "CodeUri")
            elif not any(key in d for d in (props, global_function) for key in ("CodeUri", "InlineCode", "ImageUri")):
                props["CodeUri"] = "."   # as SAM CLI does: the template's own folder
                swap(props, logical_id, "CodeUri", "CodeUri")
        elif kind == SERVERLESS_LAYER and "ContentUri" in (resource.get("Properties") or {}):
            swap(resource["Properties"], logical_id, "ContentUri", "ContentUri")
    return found


class _Region:
    """What the translator reads of a boto3 session: the region (so it never looks one up)."""

    region_name = arn.DEFAULT_REGION


def _run_translator(path: Path, source: dict[str, Any], parameter_values: dict[str, Any]) -> dict[str, Any]:
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    # Its warnings are about AWS's deployment-side feature toggles, which mean nothing locally.
    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    translator = Translator(None, Parser(), boto_session=_Region())
    try:
        result: dict[str, Any] = translator.translate(source, parameter_values=parameter_values,
                                                      get_managed_policy_map=dict)
    except InvalidDocumentException as exc:
        causes = [cause.message for cause in exc.causes] or [exc.message]
        resource, prop, problem = _locate(causes[0], source)
        more = f" (and {len(causes) - 1} more problem{'s' if len(causes) > 2 else ''})" if len(causes) > 1 else ""
        raise TemplateError(path, problem + more, resource, prop) from None
    except RecursionError:
        raise TemplateError(path, "the SAM transform failed: the template is nested too deeply") from None
    except Exception as exc:   # third-party code meeting odd input: a clear error, never a traceback
        raise TemplateError(path, f"the SAM transform failed: {type(exc).__name__}: {exc}") from None
    return result


def _locate(message: str, source: Mapping[str, Any]) -> tuple[str | None, str | None, str]:
    """(resource, property, problem) from one translator message."""
    resources = source.get("Resources") or {}
    match = _RESOURCE_ERROR.match(message)
    if match is None:
        if message.startswith("'Globals'"):
            return "Globals", None, message
        return None, None, message.removeprefix("Structure of the SAM template is invalid. ")
    resource, problem = match["id"], match["rest"]
    prop: str | None = None
    if resource not in resources:   # a generated resource: an event of one of the functions
        for logical_id, events in _events_by_function(source).items():
            for event in events:
                if resource == logical_id + event:
                    resource, prop = logical_id, f"Events.{event}"
    event_error = _EVENT_ERROR.match(problem)
    if event_error is not None:
        prop, problem = f"Events.{event_error['id']}", event_error["rest"]
    named = _PROPERTY_NAMED.search(problem)
    if named is not None:
        prop = f"{prop}.{named['name']}" if prop else named["name"]
    elif prop is None:
        prop = _first_property_mentioned(problem, resources.get(resource), source)
    return resource, prop, problem


def _first_property_mentioned(problem: str, resource: Any, source: Mapping[str, Any]) -> str | None:
    """The property a message is about: of those it names, the first one the resource lacks (messages about
    something missing name what is there too), else the first one."""
    props = resource.get("Properties") if isinstance(resource, dict) else None
    props = props if isinstance(props, dict) else {}
    global_section = source.get("Globals")
    global_section = global_section if isinstance(global_section, dict) else {}
    given = set(props).union(*(v for v in global_section.values() if isinstance(v, dict)))
    nested = {f"{name}.{key}": str(key) for name, value in props.items() if isinstance(value, dict) for key in value}
    names = {str(name): str(name) for name in given | _COMMON_PROPERTIES} | nested
    positions = sorted((m.start(), path) for path, word in names.items()
                       if (m := re.search(rf"\b{re.escape(word)}\b", problem)) is not None)
    absent = [name for _, name in positions if name not in given and name not in nested]
    return absent[0] if absent else positions[0][1] if positions else None


def _events_by_function(source: Mapping[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for logical_id, resource in (source.get("Resources") or {}).items():
        if isinstance(resource, dict) and resource.get("Type") == SERVERLESS_FUNCTION:
            events = (resource.get("Properties") or {}).get("Events")
            found[logical_id] = list(events) if isinstance(events, dict) else []
    return found


def _origins(source: Mapping[str, Any], translated: Mapping[str, Any],
             code: Mapping[str, LocalCode]) -> dict[str, tuple[str, str | None]]:
    """For every generated resource, the SAM resource and property it came from (for error messages)."""
    declared = source.get("Resources") or {}
    events = {function: set(names) for function, names in _events_by_function(source).items()}
    by_placeholder = {f"s3://{PLACEHOLDER_BUCKET}/{key}": local for key, local in code.items()}
    origins: dict[str, tuple[str, str | None]] = {}
    for logical_id, resource in (translated.get("Resources") or {}).items():
        if logical_id in declared:
            continue
        content = ((resource.get("Properties") or {}).get("Content") or {}) if isinstance(resource, dict) else {}
        if isinstance(content, dict) and "S3Key" in content:   # a layer, renamed with a hash
            local = by_placeholder.get(f"s3://{content.get('S3Bucket')}/{content['S3Key']}")
            if local is not None:
                origins[logical_id] = (local.resource, None)
                continue
        # The longest function id the generated id starts with (linear in the id's length, not in functions).
        function = next((logical_id[:end] for end in range(len(logical_id) - 1, 0, -1)
                         if logical_id[:end] in events), None)
        if function is None:
            continue
        rest = logical_id[len(function):]
        if rest in events[function]:
            origins[logical_id] = (function, f"Events.{rest}")
        else:
            origins[logical_id] = (function, next((prop for suffix, prop in _GENERATED_SUFFIXES
                                                   if rest.startswith(suffix)), None))
    return origins
