"""The control plane for concurrency: reserved and provisioned concurrency, and autoscaling of the latter.

A mixin of the `Engine` façade (see `catalogue.py` for the functions' control plane).
"""

from __future__ import annotations

import asyncio

from workbench.engine.autoscaling import AutoscalingPolicy, ProvisionedAutoscaler
from workbench.engine.clock import Clock
from workbench.engine.concurrency import AccountConcurrency
from workbench.engine.errors import InvalidParameterValueError, ResourceConflictError, ResourceNotFoundError
from workbench.engine.registry import FunctionEntry, FunctionRegistry
from workbench.engine.scheduler import ProvisionedConfig, Scheduler
from workbench.engine.state import ProjectState
from workbench.engine.supervisor import Supervisor
from workbench.engine.versions import FunctionVersion
from workbench.model.arn import LATEST


class ConcurrencyControls:
    """Mixed into `Engine`, which provides these attributes."""

    registry: FunctionRegistry
    scheduler: Scheduler
    state: ProjectState
    clock: Clock
    _supervisor: Supervisor
    _autoscalers: dict[tuple[str, str], tuple[ProvisionedAutoscaler, asyncio.Task[None]]]

    def _provisioned_total(self, function: str) -> int:
        return sum(c.requested for k, c in self.scheduler.provisioned.items() if k[0] == function)

    async def put_function_concurrency(self, function: str, reserved: int, *, persist: bool = True) -> int:
        """Reserve concurrency for ``function`` (0 throttles every request). Raises InvalidParameterValueError."""
        name = self.registry.get(function).name
        if reserved < 0:
            raise InvalidParameterValueError("ReservedConcurrentExecutions must be at least 0")
        self.scheduler.governor.check_reservation(name, reserved, self._provisioned_total(name))
        self.scheduler.governor.set_reserved(name, reserved)
        if persist:
            await self.state.save_reserved(name, reserved)
        return reserved

    async def delete_function_concurrency(self, function: str) -> None:
        name = self.registry.get(function).name
        self.scheduler.governor.set_reserved(name, None)
        await self.state.save_reserved(name, None)

    def function_concurrency(self, function: str) -> int | None:
        return self.scheduler.governor.reserved.get(self.registry.get(function).name)

    def account_concurrency(self) -> AccountConcurrency:
        return self.scheduler.governor.account()

    def _provisioned_target(self, function: str, qualifier: str) -> tuple[FunctionEntry, FunctionVersion]:
        entry = self.registry.get(function)
        if qualifier == LATEST:
            raise InvalidParameterValueError("Provisioned Concurrency Configs cannot be applied to unpublished "
                                             "function versions.")
        if qualifier in entry.versions:
            return entry, entry.versions[qualifier]
        alias = self.registry.get_alias(entry.name, qualifier)
        target = entry.latest if alias.function_version == LATEST else entry.versions[alias.function_version]
        if target.version == LATEST:
            raise InvalidParameterValueError("Provisioned Concurrency Configs cannot be applied to unpublished "
                                             "function versions.")
        return entry, target

    async def put_provisioned_concurrency(self, function: str, qualifier: str, count: int, *,
                                          persist: bool = True) -> ProvisionedConfig:
        """Keep ``count`` environments of an alias or version initialised (status IN_PROGRESS -> READY)."""
        if count < 1:
            raise InvalidParameterValueError("ProvisionedConcurrentExecutions must be at least 1")
        entry, version = self._provisioned_target(function, qualifier)
        for key, other in self.scheduler.provisioned.items():
            if key[0] == entry.name and key[1] != qualifier and other.version.version == version.version:
                raise ResourceConflictError(f"Alias with weights can not be used with Provisioned Concurrency; version "
                                            f"{version.version} already has provisioned concurrency through {key[1]}")
        config = self.scheduler.set_provisioned(entry.name, qualifier, version, count)
        if persist:
            await self.state.save_provisioned(entry.name, qualifier, count)
        return config

    def provisioned_concurrency(self, function: str, qualifier: str | None = None) -> list[ProvisionedConfig]:
        name = self.registry.get(function).name
        return [c for k, c in self.scheduler.provisioned.items()
                if k[0] == name and (qualifier is None or k[1] == qualifier)]

    async def delete_provisioned_concurrency(self, function: str, qualifier: str) -> None:
        name = self.registry.get(function).name
        if (name, qualifier) not in self.scheduler.provisioned:
            raise ResourceNotFoundError(f"No Provisioned Concurrency Config found for this function: "
                                        f"{self.registry.arn(name, qualifier)}")
        self._stop_autoscaler((name, qualifier))
        self.scheduler.delete_provisioned(name, qualifier)
        await self.state.save_provisioned(name, qualifier, None)

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
