"""Templates: SAM (expanded by AWS's own translator) or plain CloudFormation, loaded into typed definitions.

`load_template` is the entry point; every error it raises is a `TemplateError` whose message reads
``<file>: <resource>.<property>: <what is wrong>``.
"""

from workbench.model.template.definitions import (
    LAMBDA_TYPES,
    QUIET_TYPES,
    RUN_TYPES,
    AutoscalingDefinition,
    DeploymentPreferenceDefinition,
    EventInvokeConfigDefinition,
    EventSourceMappingDefinition,
    LayerDefinition,
    Template,
)
from workbench.model.template.errors import TemplateError
from workbench.model.template.reader import load_template
from workbench.model.template.sam import SERVERLESS_FUNCTION, SERVERLESS_LAYER

__all__ = [
    "LAMBDA_TYPES",
    "QUIET_TYPES",
    "RUN_TYPES",
    "SERVERLESS_FUNCTION",
    "SERVERLESS_LAYER",
    "AutoscalingDefinition",
    "DeploymentPreferenceDefinition",
    "EventInvokeConfigDefinition",
    "EventSourceMappingDefinition",
    "LayerDefinition",
    "Template",
    "TemplateError",
    "load_template",
]
