"""The control plane for concurrency: reserved and provisioned concurrency, and autoscaling of the latter.

A component of the `Engine` façade, which delegates to it (see `catalogue/control_plane.py` for the
functions' control plane).
"""

from __future__ import annotations

import asyncio

from workbench.engine.catalogue.functions import FunctionEntry, FunctionRegistry, parse_name
from workbench.engine.catalogue.versions import FunctionVersion
from workbench.engine.concurrency.autoscaling import AutoscalingPolicy, ProvisionedAutoscaler
from workbench.engine.concurrency.limits import AccountConcurrency
from workbench.engine.core.clock import Clock
from workbench.engine.core.errors import (
    InvalidParameterValueError,
    ProvisionedConcurrencyConfigNotFoundError,
    ResourceConflictError,
    ResourceNotFoundError,
    ValidationError,
)
from workbench.engine.core.tasks import Supervisor
from workbench.engine.execution.scheduler import ProvisionedConfig, Scheduler
from workbench.engine.observation.changes import ChangeAnnouncer
from workbench.engine.observation.events import CatalogueResource as Resource
from workbench.engine.observation.events import Change, EventBus
from workbench.engine.store.project_state import ProjectState
from workbench.model.arn import LATEST

_UNPUBLISHED = "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
_NOT_ALIAS_OR_VERSION = "The function resource provided must be an alias or a published version."


class ConcurrencyControls:
    """Reserved and provisioned concurrency with AWS's rules and messages, and provisioned autoscaling."""

    def __init__(self, registry: FunctionRegistry, scheduler: Scheduler, state: ProjectState, clock: Clock,
                 supervisor: Supervisor, bus: EventBus) -> None:
        self.registry = registry
        self.scheduler = scheduler
        self.state = state
        self.clock = clock
        self.bus = bus
        self._announce = ChangeAnnouncer(bus, clock)
        self._supervisor = supervisor
        self._autoscalers: dict[tuple[str, str], tuple[ProvisionedAutoscaler, asyncio.Task[None]]] = {}

    def provisioned_total(self, function: str) -> int:
        return self._provisioned_total(function)

    def _provisioned_total(self, function: str) -> int:
        return sum(c.requested for k, c in self.scheduler.provisioned.items() if k[0] == function)

    def _unqualified(self, function: str) -> FunctionEntry:
        """Reserved concurrency belongs to the function, never to one of its versions or aliases."""
        ref = parse_name(function)
        if ref.qualifier is not None:
            raise InvalidParameterValueError(
                "This operation is permitted on Lambda functions only. Aliases and versions do not support this "
                "operation. Please specify either a function name or an unqualified function ARN.")
        if ref.name not in self.registry:
            raise ResourceNotFoundError(f"Function not found: {self.registry.arn(ref.name, LATEST)}")
        return self.registry.get(ref.name)

    async def put_function_concurrency(self, function: str, reserved: int, *, persist: bool = True) -> int:
        """Reserve concurrency for ``function`` (0 throttles every request). Raises InvalidParameterValueError."""
        name = self._unqualified(function).name
        if reserved < 0:
            raise InvalidParameterValueError("ReservedConcurrentExecutions must be at least 0")
        self.scheduler.governor.check_reservation(name, reserved, self._provisioned_total(name))
        self.scheduler.governor.set_reserved(name, reserved)
        if persist:
            await self.state.save_reserved(name, reserved)
        self._announce(Resource.RESERVED_CONCURRENCY, Change.UPDATED, name)
        return reserved

    async def delete_function_concurrency(self, function: str) -> None:
        name = self._unqualified(function).name
        self.scheduler.governor.set_reserved(name, None)
        await self.state.save_reserved(name, None)
        self._announce(Resource.RESERVED_CONCURRENCY, Change.DELETED, name)

    def function_concurrency(self, function: str) -> int | None:
        return self.scheduler.governor.reserved.get(self._unqualified(function).name)

    def account_concurrency(self) -> AccountConcurrency:
        return self.scheduler.governor.account()

    def _provisioned_target(self, function: str, qualifier: str, *, putting: bool = True) -> tuple[
            FunctionEntry, FunctionVersion]:
        """The alias or published version a provisioned configuration applies to, with AWS's errors: a qualifier
        of digits names a version ("Function not found"), anything else an alias ("Cannot find alias arn")."""
        name = parse_name(function).name
        if qualifier == LATEST:
            raise InvalidParameterValueError(_UNPUBLISHED if putting else _NOT_ALIAS_OR_VERSION)
        is_version = qualifier.isdigit()
        missing = f"Function not found: {self.registry.arn(name, qualifier)}" if is_version else \
            f"Cannot find alias arn: {self.registry.arn(name, qualifier)}"
        if name not in self.registry:
            raise ResourceNotFoundError(missing)
        entry = self.registry.get(name)
        if is_version:
            if qualifier not in entry.versions:
                raise ResourceNotFoundError(missing)
            return entry, entry.versions[qualifier]
        alias = self.registry.get_alias(entry.name, qualifier)
        if alias.function_version == LATEST:
            raise InvalidParameterValueError(_UNPUBLISHED if putting else _NOT_ALIAS_OR_VERSION)
        return entry, entry.versions[alias.function_version]

    async def put_provisioned_concurrency(self, function: str, qualifier: str, count: int, *,
                                          persist: bool = True) -> ProvisionedConfig:
        """Keep ``count`` environments of an alias or version initialised (status IN_PROGRESS -> READY)."""
        if count < 1:
            raise ValidationError(f"1 validation error detected: Value '{count}' at 'provisionedConcurrentExecutions' "
                                  "failed to satisfy constraint: Member must have value greater than or equal to 1")
        entry, version = self._provisioned_target(function, qualifier)
        for key, other in self.scheduler.provisioned.items():
            if key[0] == entry.name and key[1] != qualifier and other.version.version == version.version:
                raise ResourceConflictError(
                    "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version"
                    if key[1].isdigit() else "Version is pointed by a Provisioned Concurrency alias")
        config = self.scheduler.set_provisioned(entry.name, qualifier, version, count)
        if persist:
            await self.state.save_provisioned(entry.name, qualifier, count)
        self._announce(Resource.PROVISIONED_CONCURRENCY, Change.UPDATED, entry.name, qualifier)
        return config

    def provisioned_concurrency(self, function: str, qualifier: str | None = None) -> list[ProvisionedConfig]:
        name = self.registry.get(function).name
        return [c for k, c in self.scheduler.provisioned.items()
                if k[0] == name and (qualifier is None or k[1] == qualifier)]

    def get_provisioned_concurrency(self, function: str, qualifier: str) -> ProvisionedConfig:
        """GetProvisionedConcurrencyConfig: the configuration of one alias or version, or a not-found error."""
        entry, _ = self._provisioned_target(function, qualifier, putting=False)
        config = self.scheduler.provisioned.get((entry.name, qualifier))
        if config is None:
            raise ProvisionedConcurrencyConfigNotFoundError("No Provisioned Concurrency Config found for this function")
        return config

    async def delete_provisioned_concurrency(self, function: str, qualifier: str) -> None:
        """Remove a configuration; removing one that does not exist succeeds, as on AWS."""
        entry, _ = self._provisioned_target(function, qualifier, putting=False)
        key = (entry.name, qualifier)
        self._stop_autoscaler(key)
        if key in self.scheduler.provisioned:
            self.scheduler.delete_provisioned(entry.name, qualifier)
            await self.state.save_provisioned(entry.name, qualifier, None)
            self._announce(Resource.PROVISIONED_CONCURRENCY, Change.DELETED, entry.name, qualifier)

    async def wait_provisioned_ready(self, function: str | None = None) -> None:
        """Wait until provisioned configurations (of ``function``) are READY or FAILED."""
        await self.scheduler.wait_provisioned(self.registry.get(function).name if function else None)

    async def put_provisioned_autoscaling(self, function: str, qualifier: str,
                                          policy: AutoscalingPolicy) -> ProvisionedAutoscaler:
        """Target-tracking autoscaling of an alias's or version's provisioned concurrency."""
        entry, _ = self._provisioned_target(function, qualifier)
        key = (entry.name, qualifier)
        self._stop_autoscaler(key)
        if key not in self.scheduler.provisioned:
            await self.put_provisioned_concurrency(entry.name, qualifier, max(1, policy.min_capacity))

        def apply(capacity: int) -> None:
            if capacity >= 1 and key in self.scheduler.provisioned:
                config = self.scheduler.provisioned[key]
                self.scheduler.set_provisioned(entry.name, qualifier, config.version, capacity)

        scaler = ProvisionedAutoscaler(self.clock, policy, lambda: self.scheduler.utilisation(key), apply)
        task = self._supervisor.spawn(scaler.run(), f"autoscaling-{entry.name}-{qualifier}")
        self._autoscalers[key] = (scaler, task)
        return scaler

    def _stop_autoscaler(self, key: tuple[str, str]) -> None:
        existing = self._autoscalers.pop(key, None)
        if existing is not None:
            existing[1].cancel()
