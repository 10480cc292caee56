"""The pipeline definition (`pipeline.yaml` in the project): its Source, Build and Deploy stages.

    name: web-api
    stages:
      - {name: Source, branch: main}
      - {name: Build, buildspec: buildspec.yml, timeout: 600}
      - {name: Deploy, template: template.yaml}

The stages are fixed in kind and order (like a CodePipeline made by the console's application templates);
what varies is the branch that triggers it, the buildspec, the Build stage's timeout in seconds, and the
template to deploy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

DEFINITION_NAME = "pipeline.yaml"
DEFAULT_BUILD_TIMEOUT = 900.0


class DefinitionError(ValueError):
    """An invalid pipeline.yaml."""


@dataclass(frozen=True, slots=True)
class PipelineDefinition:
    name: str
    branch: str
    buildspec: str
    build_timeout: float
    template: str


def load_definition(path: Path) -> PipelineDefinition:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DefinitionError(f"{path.name}: not found in the pushed commit") from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path.name}: not valid YAML: {exc}") from None
    stages = data.get("stages") if isinstance(data, dict) else None
    if not isinstance(stages, list) or [s.get("name") if isinstance(s, dict) else s for s in stages] != [
            "Source", "Build", "Deploy"]:
        raise DefinitionError(f"{path.name}: stages must be Source, Build and Deploy, in that order")
    source, build, deploy = stages
    try:
        timeout = float(build.get("timeout", DEFAULT_BUILD_TIMEOUT))
    except (TypeError, ValueError):
        raise DefinitionError(f"{path.name}: stages.Build.timeout must be a number of seconds") from None
    if timeout <= 0:
        raise DefinitionError(f"{path.name}: stages.Build.timeout must be positive")
    return PipelineDefinition(str(data.get("name", path.parent.name)), str(source.get("branch", "main")),
                              str(build.get("buildspec", "buildspec.yml")), timeout,
                              str(deploy.get("template", "template.yaml")))
