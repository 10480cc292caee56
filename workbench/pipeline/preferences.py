"""SAM's DeploymentPreference: how traffic moves from the alias's old version to the new one, and the alarms
that roll it back.

The template reader gives it typed (`Template.deployment_preferences`, read from the CodeDeploy deployment
group and alias update policy that AWS's SAM translator makes of it); this turns it into steps to hold.

Types: `AllAtOnce`, `CanaryNPercentMMinutes` (N % for M minutes, then all) and `LinearNPercentEveryMMinute(s)`
(N % more every M minutes). Alarms are `AWS::CloudWatch::Alarm` resources of the template on the new
version's `Errors` (a count; Statistic Sum) or the workbench's `ErrorRate` (errors / invocations, 0..1),
compared with their `Threshold` by their `ComparisonOperator`, over the invocations of the new version
since the shift began.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.model.template import DeploymentPreferenceDefinition

_CANARY = re.compile(r"^Canary(\d+)Percent(\d+)Minutes?$")
_LINEAR = re.compile(r"^Linear(\d+)PercentEvery(\d+)Minutes?$")
_OPERATORS = {
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}


class PreferenceError(ValueError):
    """An unknown deployment type or a broken alarm."""


@dataclass(frozen=True, slots=True)
class Alarm:
    name: str
    metric: str  # "Errors" or "ErrorRate"
    operator: str
    threshold: float

    def tripped(self, invocations: int, errors: int) -> bool:
        value = float(errors) if self.metric == "Errors" else (errors / invocations if invocations else 0.0)
        return bool(_OPERATORS[self.operator](value, self.threshold))


@dataclass(frozen=True, slots=True)
class Preference:
    kind: str
    #: (weight of the new version, seconds to hold it) for every step before all traffic moves.
    steps: tuple[tuple[float, float], ...]
    alarms: tuple[Alarm, ...]


def parse_preference(definition: DeploymentPreferenceDefinition | None,
                     resources: Mapping[str, Mapping[str, Any]]) -> Preference:
    """``resources``: the template's non-Lambda resources (`Template.others`), where the alarms are."""
    if definition is None:
        return Preference("AllAtOnce", (), ())
    kind = definition.type
    steps: list[tuple[float, float]] = []
    if canary := _CANARY.match(kind):
        steps.append((int(canary[1]) / 100, int(canary[2]) * 60.0))
    elif linear := _LINEAR.match(kind):
        percent, minutes = int(linear[1]), int(linear[2])
        if percent <= 0:
            raise PreferenceError(f"DeploymentPreference.Type {kind!r}: the percentage must be between 1 and 99")
        steps.extend((weight / 100, minutes * 60.0) for weight in range(percent, 100, percent))
    elif kind != "AllAtOnce":
        raise PreferenceError(f"DeploymentPreference.Type {kind!r} is not one of AllAtOnce, CanaryNPercentMMinutes, "
                              "LinearNPercentEveryMMinute(s)")
    if any(not 0 < weight < 1 for weight, _ in steps):
        raise PreferenceError(f"DeploymentPreference.Type {kind!r}: the percentage must be between 1 and 99")
    alarms = tuple(_alarm(name, resources) for name in definition.alarms)
    return Preference(kind, tuple(steps), alarms)


def _find_alarm(name: str, resources: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The alarm by logical id (what `!Ref Alarm` names) or by its `AlarmName`."""
    alarms = {logical_id: resource for logical_id, resource in resources.items()
              if resource.get("Type") == "AWS::CloudWatch::Alarm"}
    if name in alarms:
        return alarms[name]
    return next((resource for resource in alarms.values()
                 if (resource.get("Properties") or {}).get("AlarmName") == name), None)


def _alarm(name: str, resources: Mapping[str, Mapping[str, Any]]) -> Alarm:
    resource = _find_alarm(name, resources)
    if resource is None:
        raise PreferenceError(f"DeploymentPreference.Alarms: {name!r} is not an AWS::CloudWatch::Alarm of the template")
    props = resource.get("Properties") or {}
    metric = props.get("MetricName")
    if metric not in ("Errors", "ErrorRate"):
        raise PreferenceError(f"{name}.MetricName: the workbench evaluates Errors and ErrorRate (got {metric!r})")
    operator = props.get("ComparisonOperator", "GreaterThanOrEqualToThreshold")
    if operator not in _OPERATORS:
        raise PreferenceError(f"{name}.ComparisonOperator: {operator!r} is not one of {', '.join(_OPERATORS)}")
    try:
        threshold = float(props["Threshold"])
    except (KeyError, TypeError, ValueError):
        raise PreferenceError(f"{name}.Threshold: a number is required") from None
    return Alarm(str(name), str(metric), str(operator), threshold)
