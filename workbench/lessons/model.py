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
ACTIONS = ("invoke", "invoke_async", "load", "reserve", "unreserve", "stop", "wait", "publish", "alias", "provision",
           "unprovision", "configure", "create_queue", "create_stream", "send", "put_records", "map", "unmap",
           "configure_async", "app_project", "push")
PANES = ("functions", "events", "concurrency", "environments", "logs", "traces", "resources", "triggers",
         "asynchronous", "pipeline", "monitoring")
EXPECTATIONS = ("cold_starts", "warm_starts", "invocations", "errors", "throttles", "environments_at_least",
                "environments_at_most", "frozen_at_least", "spillovers_at_least", "environments_used", "versions_seen",
                "async_attempts", "async_succeeded", "async_failed", "queue_messages", "batches_at_least",
                "failed_items_at_least", "batch_sizes", "records_discarded", "pipeline_runs_succeeded",
                "canaries_completed")
#: Engine settings a lesson may set (the classroom's knobs): the engine restarts with them for the lesson.
SETTINGS = ("idle_timeout_s", "freeze_delay_s", "async_delay_scale", "scaling_environments", "scaling_window_s",
            "max_lifetime_s")


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
    #: EngineSettings fields (from SETTINGS) the lesson plays with, e.g. a short idle timeout.
    settings: dict[str, float] = field(default_factory=dict)


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
    return Lesson(path.stem, str(document["title"]), str(document["summary"]).strip(), steps, path,
                  _settings(path, document.get("settings") or {}))


def _settings(path: Path, raw: Any) -> dict[str, float]:
    if not isinstance(raw, dict) or set(raw) - set(SETTINGS):
        raise LessonError(f"{path}: settings must be a mapping of {', '.join(SETTINGS)}")
    if not all(isinstance(value, int | float) and value > 0 for value in raw.values()):
        raise LessonError(f"{path}: settings are positive numbers")
    return {str(key): float(value) for key, value in raw.items()}


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
