"""CodeBuild's buildspec (version 0.2), the part a local build can honour.

Honoured: `env.variables`, the phases `install`, `pre_build`, `build`, `post_build` (each with `commands`
and `finally`), `artifacts.files` / `base-directory`. Accepted and ignored (noted in the log):
`runtime-versions` (the machine's own runtimes run), `reports`, `cache`. Anything else is an error that
names it, so a typo in a phase name fails the build instead of silently skipping commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PHASES = ("install", "pre_build", "build", "post_build")
_PHASE_KEYS = {"commands", "finally", "runtime-versions", "on-failure"}
_TOP_KEYS = {"version", "env", "phases", "artifacts", "reports", "cache", "run-as"}


class BuildspecError(ValueError):
    """An invalid buildspec; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    commands: tuple[str, ...]
    finally_commands: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Buildspec:
    variables: dict[str, str]
    phases: tuple[Phase, ...]
    artifact_files: tuple[str, ...]
    artifact_base: str
    ignored: tuple[str, ...]


def load_buildspec(path: Path) -> Buildspec:
    name = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BuildspecError(f"{name}: not found in the pushed commit") from None
    except yaml.YAMLError as exc:
        raise BuildspecError(f"{name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise BuildspecError(f"{name}: must be a mapping with version and phases")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise BuildspecError(f"{name}: unknown key {unknown[0]!r}; a buildspec has {', '.join(sorted(_TOP_KEYS))}")
    if str(data.get("version")) not in ("0.2", "0.1"):
        raise BuildspecError(f"{name}: version must be 0.2 (got {data.get('version')!r})")
    phases_data = data.get("phases")
    if not isinstance(phases_data, dict) or not phases_data:
        raise BuildspecError(f"{name}: phases must be a mapping of {', '.join(PHASES)}")
    ignored: list[str] = [key for key in ("reports", "cache", "run-as") if key in data]
    phases = []
    for phase_name in phases_data:
        if phase_name not in PHASES:
            raise BuildspecError(f"{name}: phases: unknown phase {phase_name!r}; the phases are {', '.join(PHASES)}")
    for phase_name in PHASES:
        if phase_name not in phases_data:
            continue
        body = phases_data[phase_name] or {}
        if not isinstance(body, dict):
            raise BuildspecError(f"{name}: phases.{phase_name}: must be a mapping with commands")
        extra = sorted(set(body) - _PHASE_KEYS)
        if extra:
            raise BuildspecError(f"{name}: phases.{phase_name}: unknown key {extra[0]!r}; a phase has "
                                 f"{', '.join(sorted(_PHASE_KEYS))}")
        if "runtime-versions" in body:
            ignored.append(f"phases.{phase_name}.runtime-versions")
        phases.append(Phase(phase_name, _commands(name, phase_name, "commands", body.get("commands")),
                            _commands(name, phase_name, "finally", body.get("finally"))))
    env = data.get("env") or {}
    variables = env.get("variables") or {} if isinstance(env, dict) else None
    if not isinstance(variables, dict):
        raise BuildspecError(f"{name}: env.variables must be a mapping")
    artifacts = data.get("artifacts") or {}
    if not isinstance(artifacts, dict):
        raise BuildspecError(f"{name}: artifacts must be a mapping with files")
    files = artifacts.get("files") or []
    if not isinstance(files, list) or not all(isinstance(item, str) for item in files):
        raise BuildspecError(f"{name}: artifacts.files must be a list of paths or patterns")
    return Buildspec({str(k): str(v) for k, v in variables.items()}, tuple(phases), tuple(files),
                     str(artifacts.get("base-directory", ".")), tuple(ignored))


def _commands(name: str, phase: str, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str | int | float) for item in value):
        raise BuildspecError(f"{name}: phases.{phase}.{key}: must be a list of commands")
    return tuple(str(item) for item in value)
