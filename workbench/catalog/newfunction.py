"""`workbench new`: add a blueprint's function, resources and sample events to a project.

The template is edited with ruamel.yaml's round-trip mode, so the user's comments, key order, quoting and
indentation stay as they were; only the new resources are appended. Nothing is written until every clash
has been checked, and the edited template must still load, or everything is put back as it was.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, TaggedScalar
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from workbench.catalog.blueprints import CODE_FOLDER, TESTS_FOLDER, Blueprint
from workbench.catalog.errors import CatalogError
from workbench.model.project import TEMPLATE_NAMES
from workbench.model.saved_events import EVENTS_FOLDER
from workbench.model.template import TemplateError, load_template

_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

NEW_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: {description}

Resources:
"""


@dataclass(frozen=True, slots=True)
class Added:
    """What `add_blueprint` made, for the command to report."""

    function: str
    logical_id: str
    resources: tuple[str, ...]
    template: Path
    code: Path
    events: tuple[Path, ...]
    #: What was changed from the blueprint to fit the project (e.g. API paths moved under the function's name).
    notes: tuple[str, ...] = ()


def logical_id_for(name: str) -> str:
    """A CloudFormation logical id (alphanumeric) from a function name: hello-world -> HelloWorld."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def add_blueprint(project_dir: Path, blueprint: Blueprint, name: str | None = None) -> Added:
    function = name or blueprint.name
    if not _FUNCTION_NAME.match(function):
        raise CatalogError(f"{function!r} is not a valid function name: use 1 to 64 letters, digits, '-' or '_'")
    project_dir = project_dir.resolve()
    if project_dir.exists() and not project_dir.is_dir():
        raise CatalogError(f"{project_dir} is not a folder")
    template_path = next((project_dir / n for n in TEMPLATE_NAMES if (project_dir / n).is_file()), None)
    if template_path is not None and template_path.suffix == ".json":
        raise CatalogError(f"{template_path}: `workbench new` edits YAML templates only")
    logical_id = logical_id_for(function)
    ids = {local: f"{logical_id}{local}" for local in blueprint.resources}
    code_dir = project_dir / function
    events_dir = project_dir / EVENTS_FOLDER / function

    original = template_path.read_text(encoding="utf-8") if template_path is not None else None
    document, style = _parse(template_path, original, blueprint)
    resources = document.get("Resources")
    if not isinstance(resources, CommentedMap):
        raise CatalogError(f"{template_path}: Resources must be a mapping")
    _check_clashes(template_path, resources, function, logical_id, ids, code_dir, events_dir)

    resources[logical_id] = _function_resource(blueprint, function, ids)
    notes = _fit_api_routes(resources, logical_id, function)
    resources.yaml_set_comment_before_after_key(logical_id, before=f"From blueprint {blueprint.name}: "
                                                f"{blueprint.title}", indent=style.mapping)
    for local, resource in blueprint.resources.items():
        resources[ids[local]] = _rewrite(resource, ids)
    text = _dump(document, style)

    template_path = template_path or project_dir / "template.yaml"
    project_dir.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    try:
        shutil.copytree(blueprint.folder / CODE_FOLDER, code_dir / CODE_FOLDER,
                        ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
        made.append(code_dir)
        for extra in (TESTS_FOLDER, "LICENSE"):
            source = blueprint.folder / extra
            if source.is_dir():
                shutil.copytree(source, code_dir / extra, ignore=shutil.ignore_patterns("__pycache__"))
            elif source.is_file():
                shutil.copy2(source, code_dir / extra)
        events_dir.mkdir(parents=True, exist_ok=True)
        made.append(events_dir)
        written = []
        for event in blueprint.sample_events:
            target = events_dir / f"{event.name}.json"
            shutil.copyfile(event.path, target)
            written.append(target)
        _write_atomically(template_path, text)
        try:
            load_template(template_path)
        except TemplateError as exc:
            raise CatalogError(f"the template would not load after adding {function} ({exc}); nothing was "
                               "changed") from None
    except BaseException:
        if original is None:
            template_path.unlink(missing_ok=True)
        else:
            _write_atomically(template_path, original)
        for path in made:
            shutil.rmtree(path, ignore_errors=True)
        raise
    return Added(function, logical_id, tuple(ids.values()), template_path, code_dir, tuple(written), notes)


def _yaml() -> YAML:
    handler = YAML()  # round-trip: comments, order, quotes and flow styles survive
    handler.preserve_quotes = True
    handler.width = 4096  # never re-wrap the user's long lines
    return handler


@dataclass(frozen=True, slots=True)
class _Indentation:
    """How a template indents (ruamel's `indent(mapping, sequence, offset)`): nested mappings by ``mapping``
    columns, a list item's content by ``sequence`` columns with its dash ``offset`` columns in."""

    mapping: int = 2
    sequence: int = 4
    offset: int = 2


_NESTED_KEY = re.compile(r"^( +)[^\s#-][^:\n]*:", re.MULTILINE)


def _indentation(text: str) -> _Indentation:
    """The template's own indentation. ruamel's guess measures lists (a dash's content), so the mapping step
    is read here from the first nested key; a template without lists gets them as SAM's examples write them
    (the dash indented under its key)."""
    _, sequence, offset = load_yaml_guess_indent(text)
    nested = _NESTED_KEY.search(text)
    mapping = len(nested[1]) if nested else 2
    if offset is None or sequence is None:
        return _Indentation(mapping, mapping + 2, mapping)
    return _Indentation(mapping, sequence, offset)


def _parse(path: Path | None, text: str | None, blueprint: Blueprint) -> tuple[Any, _Indentation]:
    if text is None:
        text = NEW_TEMPLATE.format(description=f"Made with workbench new {blueprint.name}")
    try:
        style = _indentation(text)
        document = _yaml().load(text)
    except YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(document, dict):
        raise CatalogError(f"{path}: a template must be a mapping with a Resources section")
    if document.get("Resources") is None:
        document["Resources"] = CommentedMap()
    return document, style


def _dump(document: Any, style: _Indentation) -> str:
    """Write with the template's own indentation."""
    handler = _yaml()
    handler.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    stream = io.StringIO()
    handler.dump(document, stream)
    return stream.getvalue()


def _check_clashes(template: Path | None, resources: dict[str, Any], function: str, logical_id: str,
                   ids: dict[str, str], code_dir: Path, events_dir: Path) -> None:
    where = template or "the template"
    for wanted in (logical_id, *ids.values()):
        if wanted in resources:
            raise CatalogError(f"{where} already has a resource {wanted}; choose another name with --name")
    for other_id, resource in resources.items():
        props = resource.get("Properties") if isinstance(resource, dict) else None
        if isinstance(props, dict) and props.get("FunctionName") == function:
            raise CatalogError(f"{where}: {other_id} is already called {function!r}; choose another name with --name")
    if code_dir.exists():
        raise CatalogError(f"{code_dir} already exists; choose another name with --name")
    if events_dir.is_dir() and any(events_dir.iterdir()):
        raise CatalogError(f"{events_dir} already holds events; choose another name with --name")


def _function_resource(blueprint: Blueprint, function: str, ids: dict[str, str]) -> CommentedMap:
    props = CommentedMap()
    props["FunctionName"] = function
    props["Description"] = blueprint.title
    props["CodeUri"] = f"{function}/{CODE_FOLDER}/"
    props["Handler"] = blueprint.handler
    props["Runtime"] = blueprint.runtime
    props["MemorySize"] = blueprint.memory
    props["Timeout"] = blueprint.timeout
    if blueprint.environment:
        props["Environment"] = {"Variables": _rewrite(blueprint.environment, ids)}
    if blueprint.policies:
        props["Policies"] = _rewrite(list(blueprint.policies), ids)
    for key, value in blueprint.properties.items():
        props[key] = _rewrite(value, ids)
    if blueprint.triggers:
        props["Events"] = _rewrite(blueprint.triggers, ids)
    resource = CommentedMap()
    resource["Type"] = "AWS::Serverless::Function"
    resource["Properties"] = props
    return resource


#: SAM event types whose routes share the template's implicit API (when they name no API of their own).
_IMPLICIT_API = {"Api": "RestApiId", "HttpApi": "ApiId"}


def _implicit_routes(function_resource: Any) -> dict[str, tuple[str, str, str]]:
    """A function's routes on the implicit APIs: event name -> (event type, path, method in lower case)."""
    props = function_resource.get("Properties") if isinstance(function_resource, dict) else None
    events = props.get("Events") if isinstance(props, dict) else None
    routes = {}
    for name, event in (events or {}).items() if isinstance(events, dict) else ():
        kind = event.get("Type") if isinstance(event, dict) else None
        event_props = event.get("Properties") if isinstance(event, dict) else None
        if kind in _IMPLICIT_API and isinstance(event_props, dict) and _IMPLICIT_API[kind] not in event_props:
            routes[name] = (kind, str(event_props.get("Path", "")), str(event_props.get("Method", "any")).lower())
    return routes


def _fit_api_routes(resources: dict[str, Any], logical_id: str, function: str) -> tuple[str, ...]:
    """SAM refuses two functions with the same method on the same path of an implicit API. When a blueprint's
    routes meet routes the project already has (the same blueprint in two languages, or twice under two
    names), all of the new function's routes move under `/<function>` rather than the template breaking."""
    taken = {route for other_id, resource in resources.items() if other_id != logical_id
             for route in _implicit_routes(resource).values()}
    mine = _implicit_routes(resources[logical_id])

    def clashes(kind: str, path: str, method: str) -> bool:
        return any(kind == k and path == p and (method == m or "any" in (method, m)) for k, p, m in taken)

    if not any(clashes(*route) for route in mine.values()):
        return ()
    events = resources[logical_id]["Properties"]["Events"]
    for name, (_, path, _) in mine.items():
        events[name]["Properties"]["Path"] = f"/{function}{path}"
    return (f"its API routes are under /{function} (the project's API already answers "
            f"{', '.join(sorted({path for _, path, _ in mine.values()}))})",)


def _rewrite(value: Any, ids: dict[str, str]) -> Any:
    """Copy a blueprint value into template form: the blueprint's own logical ids get the function's prefix,
    and long-form Ref / GetAtt become the short `!Ref` / `!GetAtt` tags people write by hand."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            return TaggedScalar(value=ids.get(value["Ref"], value["Ref"]), tag="!Ref")
        getatt = value.get("Fn::GetAtt") if len(value) == 1 else None
        if isinstance(getatt, list) and len(getatt) == 2:
            return TaggedScalar(value=f"{ids.get(getatt[0], getatt[0])}.{getatt[1]}", tag="!GetAtt")
        rewritten = CommentedMap()
        for key, item in value.items():
            rewritten[key] = _rewrite(item, ids)
        return rewritten
    if isinstance(value, list):
        return [_rewrite(item, ids) for item in value]
    return value


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.workbench-new")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
