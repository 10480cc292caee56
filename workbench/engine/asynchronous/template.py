"""What a template declares for asynchronous invocation, applied at every engine start to the functions it
declares: each function's `DeadLetterConfig` (SAM: `DeadLetterQueue`; `Template.dead_letter_targets`) and its
`AWS::Lambda::EventInvokeConfig`s (SAM: `EventInvokeConfig`; `Template.event_invoke_configs`).

The template is the source of truth for what it declares (as for concurrency, see `catalogue/restore.py`):
its settings replace what the store remembers for the same function and qualifier, and they are not written
to the store, so one taken out of the template is gone at the next start. A setting the workbench cannot use
(an ARN that is not one, an unknown qualifier) is skipped with a warning instead of stopping the start: the
template's destinations are often its own resources, whose ARNs are only known once they are provisioned.
"""

from __future__ import annotations

import dataclasses
import logging

from workbench.model.function import ConfigError, FunctionConfig, validate_dead_letter_target
from workbench.model.template import Template

log = logging.getLogger(__name__)


def with_dead_letter_target(config: FunctionConfig, template: Template) -> FunctionConfig:
    """``config`` with the dead-letter target the template gives its function (unchanged when none)."""
    target = template.dead_letter_targets.get(config.name)
    if target is None:
        return config
    try:
        checked = validate_dead_letter_target(target)
    except ConfigError as exc:
        log.warning("%s: function %s: DeadLetterConfig is ignored: %s", template.path, config.name, exc.message)
        return config
    return dataclasses.replace(config, dead_letter_target=checked)
