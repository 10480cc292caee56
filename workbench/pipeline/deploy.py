"""The Deploy stage: the built functions into a running workbench, through the Lambda API.

For each function of the pushed template: create it or update its code and configuration, publish a
version, and move its `AutoPublishAlias` to that version as its `DeploymentPreference` says, with
weighted alias routing held for each step on the given clock (a `FakeClock` in tests, a sped-up clock in a
classroom). While traffic shifts, the preference's alarms are checked against the new version's
invocations; a tripped alarm puts all traffic back on the old version and the run ends `rolled-back`.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from workbench.engine import Clock, EngineEvent, InvocationFinished
from workbench.model.function import FunctionConfig
from workbench.pipeline.build import BuildOutput, StageFailedError
from workbench.pipeline.lambda_api import LambdaApiError, LambdaClient, function_path
from workbench.pipeline.preferences import Preference, PreferenceError, parse_preference

Log = Callable[[str], Awaitable[None]]
#: How often (in the clock's seconds) alarms are evaluated while a step holds.
ALARM_PERIOD_S = 10.0


@dataclass
class ErrorCounter:
    """Finished invocations and errors per (function, version), fed by the engine's events."""

    counts: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    def observe(self, event: EngineEvent) -> None:
        if isinstance(event, InvocationFinished):
            record = event.record
            entry = self.counts.setdefault((record.function, record.version), [0, 0])
            entry[0] += 1
            entry[1] += record.status != "success"

    def snapshot(self, function: str, version: str) -> tuple[int, int]:
        invocations, errors = self.counts.get((function, version), [0, 0])
        return invocations, errors


class RolledBackError(Exception):
    """A deployment's alarm tripped and its alias went back to the old version."""


async def deploy(api: LambdaClient, build: BuildOutput, commit: str, *, clock: Clock, counter: ErrorCounter,
                 log: Log, on_weight: Callable[[str, float], None] | None = None) -> None:
    """Raises StageFailedError (nothing more is changed) or RolledBackError."""
    plans: list[tuple[FunctionConfig, Preference]] = []
    for function in build.template.functions:
        try:
            preference = parse_preference(build.template.deployment_preferences.get(function.name),
                                          build.template.others)
        except PreferenceError as exc:
            raise StageFailedError(f"{function.logical_id}: {exc}") from None
        if preference.steps and not function.auto_publish_alias:
            raise StageFailedError(f"{function.logical_id}: a DeploymentPreference needs an AutoPublishAlias")
        plans.append((function, preference))
    for function, preference in plans:
        try:
            version = await _update(api, function, build.packages.get(function.name), commit, log)
            if function.auto_publish_alias:
                await _shift(api, function.name, function.auto_publish_alias, version, preference, clock=clock,
                             counter=counter, log=log, on_weight=on_weight)
        except LambdaApiError as exc:
            raise StageFailedError(f"{function.name}: the Lambda API answered {exc}") from None


def _configuration(function: FunctionConfig) -> dict[str, object]:
    return {"Runtime": function.runtime, "Handler": function.handler, "MemorySize": function.memory_size,
            "Timeout": function.timeout, "Description": function.description,
            "Environment": {"Variables": dict(function.environment)}}


async def _update(api: LambdaClient, function: FunctionConfig, package: bytes | None, commit: str, log: Log) -> str:
    if package is None:
        raise StageFailedError(f"{function.name}: no package was built (InlineCode is not deployed by the pipeline)")
    code = base64.b64encode(package).decode()
    try:
        await api.call("GET", function_path(function.name))
    except LambdaApiError as exc:
        if exc.code != "ResourceNotFoundException":
            raise
        await api.call("POST", "/2015-03-31/functions", {"FunctionName": function.name, "Role": function.role,
                                                         "Code": {"ZipFile": code}, **_configuration(function)})
        await log(f"{function.name}: created\n")
    else:
        await api.call("PUT", function_path(function.name, "/code"), {"ZipFile": code})
        await api.call("PUT", function_path(function.name, "/configuration"), _configuration(function))
        await log(f"{function.name}: code and configuration updated\n")
    published = await api.call("POST", function_path(function.name, "/versions"),
                               {"Description": f"pipeline: commit {commit[:12]}"})
    version = str(published["Version"])
    await log(f"{function.name}: version {version} published\n")
    return version


async def _shift(api: LambdaClient, name: str, alias: str, version: str, preference: Preference, *, clock: Clock,
                 counter: ErrorCounter, log: Log, on_weight: Callable[[str, float], None] | None) -> None:
    path = function_path(name, f"/aliases/{alias}")
    try:
        current = await api.call("GET", path)
    except LambdaApiError as exc:
        if exc.code != "ResourceNotFoundException":
            raise
        await api.call("POST", function_path(name, "/aliases"), {"Name": alias, "FunctionVersion": version})
        await log(f"{name}: alias {alias} created on version {version}\n")
        return
    old = str(current["FunctionVersion"])
    if old == version:
        await log(f"{name}: alias {alias} already on version {version}\n")
        return
    await log(f"{name}: moving alias {alias} from version {old} to {version} ({preference.kind})\n")
    base_invocations, base_errors = counter.snapshot(name, version)
    for weight, hold in preference.steps:
        await api.call("PUT", path, {"FunctionVersion": old, "RoutingConfig": {"AdditionalVersionWeights":
                                                                              {version: weight}}})
        await log(f"{name}: {weight:.0%} of {alias} on version {version} for {hold:g} s\n")
        if on_weight is not None:
            on_weight(name, weight)
        waited = 0.0
        while waited < hold:
            period = min(ALARM_PERIOD_S, hold - waited)
            await clock.sleep(period)
            waited += period
            invocations, errors = counter.snapshot(name, version)
            invocations, errors = invocations - base_invocations, errors - base_errors
            for alarm in preference.alarms:
                if alarm.tripped(invocations, errors):
                    await api.call("PUT", path, {"FunctionVersion": old, "RoutingConfig": {"AdditionalVersionWeights":
                                                                                          {}}})
                    await log(f"{name}: alarm {alarm.name} tripped ({errors} error(s) in {invocations} invocation(s) "
                              f"of version {version}); alias {alias} rolled back to version {old}\n")
                    if on_weight is not None:
                        on_weight(name, 0.0)
                    raise RolledBackError(f"{name}: alarm {alarm.name} tripped; {alias} rolled back to version {old}")
    await api.call("PUT", path, {"FunctionVersion": version, "RoutingConfig": {"AdditionalVersionWeights": {}}})
    await log(f"{name}: alias {alias} on version {version}\n")
    if on_weight is not None:
        on_weight(name, 1.0)
