"""Blueprints: a function's code, its configuration preset and its sample events, read from `blueprint.yaml`.

The file's fields (all checked here, so a broken blueprint is reported by name, not half-applied):
name, title, description, runtime, handler, memory, timeout, environment, resources (CloudFormation
resources the function needs, by a local logical id), triggers (SAM `Events`), policies (SAM `Policies`),
properties (more `AWS::Serverless::Function` properties, e.g. `EventInvokeConfig`), sample_events (name,
file, `needs` (services the event cannot be answered without), and `expect`: a `result` the response must
contain, or the `error` type it must fail with), tags. Intrinsics are written in their long forms
(`{Ref: Table}`, `{Fn::GetAtt: [Queue, Arn]}`) and name the blueprint's own resources.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from workbench.catalog.errors import CatalogError
from workbench.catalog.paths import APP_TEMPLATES_FOLDER, blueprints_dir

MANIFEST = "blueprint.yaml"
CODE_FOLDER = "src"
TESTS_FOLDER = "tests"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")


@dataclass(frozen=True, slots=True)
class SampleEvent:
    name: str
    path: Path
    needs: tuple[str, ...]
    expect: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Blueprint:
    name: str
    title: str
    description: str
    runtime: str
    handler: str
    memory: int
    timeout: int
    environment: Mapping[str, Any]
    resources: Mapping[str, Any]
    triggers: Mapping[str, Any]
    policies: tuple[Any, ...]
    properties: Mapping[str, Any]
    sample_events: tuple[SampleEvent, ...]
    tags: tuple[str, ...]
    folder: Path

    @property
    def language(self) -> str:
        return "nodejs" if self.runtime.startswith("nodejs") else "python"

    def summary(self) -> dict[str, Any]:
        """What `workbench new --list --json` prints for it."""
        return {"name": self.name, "title": self.title, "description": self.description, "runtime": self.runtime,
                "handler": self.handler, "memory": self.memory, "timeout": self.timeout,
                "resources": {key: value.get("Type") for key, value in self.resources.items()},
                "triggers": {key: value.get("Type") for key, value in self.triggers.items()},
                "sample_events": [event.name for event in self.sample_events], "tags": list(self.tags)}


def list_blueprints(root: Path | None = None) -> list[Blueprint]:
    root = root or blueprints_dir()
    return [load_blueprint(folder) for folder in sorted(root.iterdir())
            if folder.is_dir() and folder.name != APP_TEMPLATES_FOLDER and (folder / MANIFEST).is_file()]


def find_blueprint(name: str, root: Path | None = None) -> Blueprint:
    """The blueprint called ``name``; an unknown name is an error listing the valid ones."""
    found = {blueprint.name: blueprint for blueprint in list_blueprints(root)}
    if name not in found:
        raise CatalogError(f"there is no blueprint {name!r}; the blueprints are: {', '.join(sorted(found))}")
    return found[name]


def load_blueprint(folder: Path) -> Blueprint:
    manifest = folder / MANIFEST
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{manifest}: cannot be read: {exc}") from None
    reader = _Reader(manifest, data if isinstance(data, dict) else {})
    name = reader.text("name")
    if not _NAME.match(name) or name != folder.name:
        reader.fail("name", f"must be the folder's name ({folder.name}) in lower case letters, digits and '-'")
    if not (folder / CODE_FOLDER).is_dir():
        reader.fail("name", f"the blueprint has no {CODE_FOLDER}/ folder")
    events = []
    for index, entry in enumerate(reader.sequence("sample_events")):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            reader.fail(f"sample_events[{index}]", "needs a name and a file")
        path = folder / str(entry.get("file", ""))
        if not path.is_file():
            reader.fail(f"sample_events[{index}].file", f"{path} does not exist")
        expect = entry.get("expect") or {}
        if not isinstance(expect, dict) or len(expect.keys() & {"result", "error"}) != 1:
            reader.fail(f"sample_events[{index}].expect", "must give either a result or an error")
        events.append(SampleEvent(entry["name"], path, tuple(map(str, entry.get("needs") or ())), expect))
    resources = reader.mapping("resources")
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            reader.fail(f"resources.{logical_id}", "needs a Type")
    return Blueprint(
        name=name, title=reader.text("title"), description=reader.text("description").strip(),
        runtime=reader.text("runtime"), handler=reader.text("handler"), memory=reader.integer("memory"),
        timeout=reader.integer("timeout"), environment=reader.mapping("environment"), resources=resources,
        triggers=reader.mapping("triggers"), policies=tuple(reader.sequence("policies")),
        properties=reader.mapping("properties"), sample_events=tuple(events),
        tags=tuple(map(str, reader.sequence("tags"))), folder=folder)


class _Reader:
    """Typed field access that names the file and the field in every error."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    def fail(self, field: str, message: str) -> None:
        raise CatalogError(f"{self.path}: {field}: {message}")

    def text(self, field: str) -> str:
        value = self.data.get(field)
        if not isinstance(value, str) or not value:
            self.fail(field, "is required (text)")
        return str(value)

    def integer(self, field: str) -> int:
        value = self.data.get(field)
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(field, "is required (a whole number)")
            raise AssertionError  # fail() raised
        return value

    def mapping(self, field: str) -> dict[str, Any]:
        value = self.data.get(field) or {}
        if not isinstance(value, dict):
            self.fail(field, "must be a mapping")
        return dict(value)

    def sequence(self, field: str) -> list[Any]:
        value = self.data.get(field) or []
        if not isinstance(value, list):
            self.fail(field, "must be a list")
        return list(value)
