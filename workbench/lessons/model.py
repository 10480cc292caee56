"""What a lesson file holds, read and checked: a title, a summary and steps. Each step says what to look at
(``say``), which pane to highlight (``pane``), what the workbench does (``action``) and what must then be true
(``expect``), so a lesson is checked as it is played. A teacher writes one as YAML; a bad file is refused with
its name, the step and the field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from workbench.resources import resources_dir

#: Actions a step can take (see workbench.lessons.actions) and the panes it can highlight.
ACTIONS = ("invoke", "load", "reserve", "unreserve", "stop", "wait")
PANES = ("functions", "events", "concurrency", "environments", "logs", "traces", "resources", "triggers",
         "asynchronous", "pipeline", "monitoring")
EXPECTATIONS = ("cold_starts", "warm_starts", "invocations", "errors", "throttles", "environments_at_least")


class LessonError(ValueError):
    """A lesson file that cannot be played: the message names the file, the step and the field."""


@dataclass(frozen=True, slots=True)
class Step:
    say: str
    pane: str | None = None
    action: dict[str, Any] = field(default_factory=dict)
    expect: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Lesson:
    name: str
    title: str
    summary: str
    steps: tuple[Step, ...]
    path: Path


def lessons_dir() -> Path:
    return resources_dir() / "lessons"


def list_lessons(folder: Path | None = None) -> list[Lesson]:
    return [load_lesson(path) for path in sorted((folder or lessons_dir()).glob("*.yaml"))]


def find_lesson(name: str, folder: Path | None = None) -> Lesson:
    path = (folder or lessons_dir()) / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(lesson.name for lesson in list_lessons(folder))
        raise LessonError(f"no lesson named {name!r} (there are: {known})")
    return load_lesson(path)


def load_lesson(path: Path) -> Lesson:
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise LessonError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(document, dict):
        raise LessonError(f"{path}: a lesson is a mapping with title, summary and steps")
    for key in ("title", "summary", "steps"):
        if key not in document:
            raise LessonError(f"{path}: {key} is missing")
    if not isinstance(document["steps"], list) or not document["steps"]:
        raise LessonError(f"{path}: steps must be a non-empty list")
    steps = tuple(_step(path, number, raw) for number, raw in enumerate(document["steps"], 1))
    return Lesson(path.stem, str(document["title"]), str(document["summary"]).strip(), steps, path)


def _step(path: Path, number: int, raw: Any) -> Step:
    where = f"{path}: step {number}"
    if not isinstance(raw, dict) or not isinstance(raw.get("say"), str):
        raise LessonError(f"{where}: a step is a mapping with a 'say' text")
    pane = raw.get("pane")
    if pane is not None and pane not in PANES:
        raise LessonError(f"{where}: pane {pane!r} is not one of {', '.join(PANES)}")
    action = raw.get("action") or {}
    if not isinstance(action, dict) or (action and action.get("do") not in ACTIONS):
        raise LessonError(f"{where}: action.do must be one of {', '.join(ACTIONS)}")
    expect = raw.get("expect") or {}
    if not isinstance(expect, dict) or (unknown := set(expect) - set(EXPECTATIONS)):
        raise LessonError(f"{where}: unknown expectation(s) {sorted(unknown) if isinstance(expect, dict) else expect}"
                          f"; known: {', '.join(EXPECTATIONS)}")
    return Step(raw["say"].strip(), pane, dict(action), dict(expect))
