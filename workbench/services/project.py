"""The template's supporting resources at engine start: create them, then read the functions again so that
their `!Ref Queue` and `!GetAtt Table.StreamArn` name the real local resources."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from typing import Any

from workbench.model import arn
from workbench.model.project import Project
from workbench.model.template import load_template
from workbench.model.template.source import read_template_file as load_cfn_yaml
from workbench.services.deliveries import Delivery
from workbench.services.local import LocalServices
from workbench.services.provisioning import provision


def template_parameters(project: Project) -> dict[str, Any]:
    """The template's parameter values (defaults, then the overrides given) and CloudFormation's pseudo
    parameters, as the template loader resolves them for the functions."""
    document = load_cfn_yaml(project.template_path)
    stack = project.root.name or "workbench"
    values: dict[str, Any] = {
        "AWS::Region": arn.DEFAULT_REGION, "AWS::AccountId": arn.DEFAULT_ACCOUNT, "AWS::StackName": stack,
        "AWS::StackId": f"arn:aws:cloudformation:{arn.DEFAULT_REGION}:{arn.DEFAULT_ACCOUNT}:stack/{stack}/local",
        "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NotificationARNs": [],
    }
    declared = document.get("Parameters") if isinstance(document, Mapping) else None
    for name, spec in (declared or {}).items():
        if isinstance(spec, Mapping) and "Default" in spec:
            values[name] = spec["Default"]
    values.update(project.parameter_overrides)
    return values


async def provision_project(services: LocalServices, project: Project, region: str,
                            deliveries: list[Delivery] | None = None) -> tuple[Project, dict[str, dict[str, str]]]:
    """Create the project's resources; returns the project with its functions re-read against them, and the
    resources' attributes; the pushes to functions they ask for go to ``deliveries``. Raises TemplateError."""
    if not project.template.other_resources:   # nothing to make (an empty project may have no template file yet)
        return project, {}
    parameters = await asyncio.to_thread(template_parameters, project)
    functions = {function.logical_id: function.name for function in project.template.functions
                 if function.logical_id is not None}
    attributes = await provision(services, project.template.other_resources, parameters, region=region,
                                 path=project.template_path, functions=functions, deliveries=deliveries)
    if not attributes:
        return project, attributes
    template = await asyncio.to_thread(load_template, project.template_path, project.parameter_overrides,
                                       resource_attributes=attributes)
    return dataclasses.replace(project, template=template), attributes
