"""Placing requests on execution environments under Lambda's scaling rules (spec §3, §4).

A request is served, in order of preference, by an idle provisioned environment of the alias or version it
names, by an idle on-demand environment of its version, or by a new on-demand environment (a cold start).
The last two are admitted by the `ConcurrencyGovernor`; a cold start also needs a token from the function's
scaling budget. Whatever cannot be admitted is throttled.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field

from workbench.engine.catalogue.functions import FunctionRegistry, Target
from workbench.engine.catalogue.versions import FunctionVersion
from workbench.engine.concurrency.limits import SCALING_RATE_EXCEEDED, ConcurrencyGovernor
from workbench.engine.core.errors import TooManyRequestsError
from workbench.engine.core.tasks import Supervisor
from workbench.engine.execution.environment import Environment, EnvironmentServices, InitOutcome
from workbench.engine.execution.initgate import InitGate, hand_over
from workbench.engine.execution.invocation import InvokeRequest, InvokeResult
from workbench.engine.execution.pool import FunctionPool
from workbench.engine.execution.snapstart import SnapshotRegistry
from workbench.engine.observation.events import EnvState, InitType, ProvisionedConcurrencyChanged, Throttled
from workbench.model.arn import LATEST
from workbench.model.limits import TIMEOUT_MAX_S

log = logging.getLogger(__name__)

#: Provisioned environments may take longer to initialise than on-demand ones (spec §11).
PROVISIONED_INIT_MIN_S = 130.0

ProvisionedKey = tuple[str, str]  # (function, alias or version)


@dataclass(slots=True)
class ProvisionedConfig:
    function: str
    qualifier: str
    version: FunctionVersion
    requested: int
    status: str = "IN_PROGRESS"
    reason: str | None = None
    last_modified: float = 0.0
    allocated: int = 0
    available: int = 0
    settled: asyncio.Event = field(default_factory=asyncio.Event)
    published: tuple[int, int, str] = (-1, -1, "")


class Scheduler:
    def __init__(self, services: EnvironmentServices, registry: FunctionRegistry, supervisor: Supervisor) -> None:
        self._services = services
        self._clock = services.clock
        self._bus = services.bus
        self._settings = services.settings
        self._registry = registry
        self._supervisor = supervisor
        self.governor = ConcurrencyGovernor(services.settings, services.clock)
        self.pools: dict[str, FunctionPool] = {}
        self.provisioned: dict[ProvisionedKey, ProvisionedConfig] = {}
        self._stopping: set[asyncio.Task[None]] = set()
        self._gate: InitGate[Environment] = InitGate(services.settings.max_parallel_inits)
        self.snapshots = SnapshotRegistry(services)
        self.closing = False

    def pool(self, function: str) -> FunctionPool:
        pool = self.pools.get(function)
        if pool is None:
            pool = self.pools[function] = FunctionPool(function)
        return pool

    # -- serving requests -------------------------------------------------------------------------------
    async def execute(self, target: Target, request: InvokeRequest) -> InvokeResult:
        version = target.version
        name = version.name
        # SnapStart versions restore new environments from their snapshot (made here after an engine restart).
        snapshot = await self.snapshots.ensure(version) if self.snapshots.applies(version) else None
        pool = self.pool(name)
        environment: Environment | None = None
        counted = False
        config = self.provisioned.get((name, target.qualifier))
        if config is not None and config.version.version == version.version:
            environment = pool.take_idle(version.version, config.version.revision, target.qualifier)
            if environment is None:
                pool.spillovers += 1
        if environment is None:
            reason = self.governor.admit(name)
            if reason is not None:
                self._throttle(pool, target, reason)
            counted = True
            environment = pool.take_idle(version.version, version.revision)
        pool.in_flight += 1
        cold: InitOutcome | None = None
        try:
            if environment is None:
                environment = await self._wait_for_capacity(pool, version)
            if environment is None:
                if not self.governor.take_scaling_token(name):
                    self._gate.release()
                    self._throttle(pool, target, SCALING_RATE_EXCEEDED)
                environment = Environment(self._services, version,
                                          InitType.SNAP_START if snapshot else InitType.ON_DEMAND, snapshot=snapshot)
                pool.add(environment)
                pool.cold_starts += 1
                try:
                    cold = await environment.start()
                finally:
                    self._gate.release()
            if snapshot is not None:
                environment.follow_snapshot(snapshot)
            result = await environment.invoke(request, cold)
        except BaseException:
            if environment is not None:
                self.stop_in_background(environment, "failed")
            raise
        finally:
            pool.in_flight -= 1
            if counted:
                self.governor.release(name)
        pool.invocations += 1
        if result.function_error:
            pool.errors += 1
        self._release(pool, environment)
        return result

    async def _wait_for_capacity(self, pool: FunctionPool, version: FunctionVersion) -> Environment | None:
        """None once this request holds an init slot; or an environment handed over by one that finished."""
        if self._gate.try_acquire():
            return None
        waiter: asyncio.Future[Environment | None] = asyncio.get_running_loop().create_future()
        pool.waiters.setdefault((version.version, version.revision), deque()).append(waiter)
        self._gate.enqueue(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                handed = waiter.result()
                if handed is None:
                    self._gate.release()
                else:
                    self._release(pool, handed)
            raise

    def _throttle(self, pool: FunctionPool, target: Target, reason: str) -> None:
        pool.throttles += 1
        self._bus.publish(Throttled(self._clock.time(), pool.function, target.qualifier, reason))
        raise TooManyRequestsError(reason)

    def _release(self, pool: FunctionPool, environment: Environment) -> None:
        if environment.stopped:
            pool.discard(environment)
            return
        if environment.provisioned_for is not None:
            key = (pool.function, environment.provisioned_for)
            config = self.provisioned.get(key)
            wanted = config is not None and config.version.version == environment.version.version and \
                len(pool.provisioned(environment.provisioned_for)) <= config.requested
            if not wanted:
                self.stop_in_background(environment, "deprovisioned")
                return
        elif environment.version.version == LATEST:
            current = self._latest_revision(pool.function)
            if current != environment.version.revision:
                self.stop_in_background(environment, "code-update")
                return
        if environment.provisioned_for is None:
            waiters = pool.waiters.get((environment.version.version, environment.version.revision))
            if waiters and hand_over(waiters, environment):
                return
        pool.put_idle(environment)

    def _latest_revision(self, function: str) -> int | None:
        return self._registry.get(function).latest.revision if function in self._registry else None

    # -- stopping ---------------------------------------------------------------------------------------
    def _forget(self, environment: Environment, reason: str) -> None:
        """Take an environment out of its pool (once), returning its provisioned unit to the governor."""
        pool = self.pools.get(environment.function)
        if pool is None or environment.id not in pool.environments:
            return
        pool.discard(environment)
        if environment.provisioned_for is not None:
            self.governor.release(environment.function)
            key = (environment.function, environment.provisioned_for)
            if key in self.provisioned and not self.closing:
                self._reconcile(key)

    async def stop_environment(self, environment: Environment, reason: str) -> None:
        self._forget(environment, reason)
        await environment.stop(reason)

    def stop_in_background(self, environment: Environment, reason: str) -> None:
        self._forget(environment, reason)
        task = asyncio.get_running_loop().create_task(environment.stop(reason), name=f"stop-{environment.id}")
        self._stopping.add(task)
        task.add_done_callback(self._stopped)

    def _stopped(self, task: asyncio.Task[None]) -> None:
        self._stopping.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("stopping an environment failed", exc_info=task.exception())

    def retire(self, function: str, version: str, reason: str) -> None:
        """Stop the idle environments of one version; busy ones are stopped when they finish."""
        pool = self.pools.get(function)
        for environment in pool.idle_environments() if pool else []:
            if environment.version.version == version and environment.provisioned_for is None:
                self.stop_in_background(environment, reason)

    async def stop_idle(self, functions: list[str], reason: str) -> int:
        """Stop idle on-demand environments. Provisioned ones stay: they are kept initialised on purpose (AWS
        offers no way to stop them short of removing the provisioned concurrency)."""
        idle = [env for name in functions if name in self.pools for env in self.pools[name].idle_environments()
                if env.provisioned_for is None]
        await asyncio.gather(*(self.stop_environment(env, reason) for env in idle))
        return len(idle)

    async def remove_function(self, function: str) -> None:
        for key in [key for key in self.provisioned if key[0] == function]:
            del self.provisioned[key]
        pool = self.pools.pop(function, None)
        if pool is not None:
            await asyncio.gather(*(env.stop("deleted") for env in list(pool.environments.values())))
        await self.snapshots.discard(function)   # SnapStart: the snapshots of its versions go too
        self.governor.set_reserved(function, None)

    async def close(self) -> None:
        self.closing = True
        environments = [env for pool in self.pools.values() for env in pool.environments.values()]
        await asyncio.gather(*(self.stop_environment(env, "shutdown") for env in environments))
        if self._stopping:
            await asyncio.gather(*self._stopping, return_exceptions=True)
        await self.snapshots.close()

    async def reap_idle(self) -> None:
        """Stop on-demand environments idle past the idle timeout; recycle any past their lifetime."""
        interval = max(0.05, min(1.0, self._settings.idle_timeout_s / 4, self._settings.max_lifetime_s / 4))
        while True:
            await self._clock.sleep(interval)
            now = self._clock.monotonic()
            for pool in list(self.pools.values()):
                for env in pool.idle_environments():
                    if now - env.created_at >= self._settings.max_lifetime_s:
                        self.stop_in_background(env, "lifetime")
                    elif env.provisioned_for is None and now - env.last_used >= self._settings.idle_timeout_s:
                        self.stop_in_background(env, "idle")

    # -- provisioned concurrency ------------------------------------------------------------------------
    def set_provisioned(self, function: str, qualifier: str, version: FunctionVersion,
                        requested: int) -> ProvisionedConfig:
        key = (function, qualifier)
        others = sum(c.requested for k, c in self.provisioned.items() if k[0] == function and k != key)
        self.governor.check_provisioned(function, others + requested)
        config = self.provisioned.get(key)
        if config is None:
            config = self.provisioned[key] = ProvisionedConfig(function, qualifier, version, requested)
        config.version, config.requested = version, requested
        config.status, config.reason = "IN_PROGRESS", None
        config.last_modified = self._clock.time()
        self._reconcile(key)
        return config

    def delete_provisioned(self, function: str, qualifier: str) -> None:
        config = self.provisioned.pop((function, qualifier), None)
        pool = self.pools.get(function)
        if config is None or pool is None:
            return
        for environment in pool.provisioned(qualifier):
            if environment.state in (EnvState.IDLE, EnvState.FROZEN, EnvState.STARTING, EnvState.INITIALISING):
                self.stop_in_background(environment, "deprovisioned")

    def _reconcile(self, key: ProvisionedKey) -> None:
        """Start or stop provisioned environments until the allocation matches the request."""
        config = self.provisioned[key]
        function, qualifier = key
        pool = self.pool(function)
        current: list[Environment] = []
        for environment in pool.provisioned(qualifier):
            if environment.version.version == config.version.version:
                current.append(environment)
            elif environment.state in (EnvState.IDLE, EnvState.FROZEN):
                self.stop_in_background(environment, "deprovisioned")
        missing = config.requested - len(current)
        for _ in range(missing if config.status != "FAILED" else 0):
            environment = Environment(self._services, config.version, InitType.PROVISIONED, qualifier)
            pool.add(environment)
            self.governor.allocate(function)
            self._supervisor.spawn(self._provision(environment, key), f"provision-{environment.id}")
        if missing < 0:
            idle_first = sorted(current, key=lambda env: env.state not in (EnvState.IDLE, EnvState.FROZEN))
            for environment in idle_first[:-missing]:
                if environment.state in (EnvState.IDLE, EnvState.FROZEN):
                    self.stop_in_background(environment, "deprovisioned")
        self._update_status(key)

    async def _provision(self, environment: Environment, key: ProvisionedKey) -> None:
        timeout = min(float(TIMEOUT_MAX_S), max(PROVISIONED_INIT_MIN_S, float(environment.version.config.timeout)))
        outcome = await environment.start(timeout)
        pool = self.pools.get(key[0])
        if environment.stopped or pool is None:
            return
        config = self.provisioned.get(key)
        if not outcome.ok:
            if config is not None:
                config.status = "FAILED"
                config.reason = f"FUNCTION_ERROR_INIT_FAILED: {outcome.error_type}"
            self.stop_in_background(environment, "init-failed")
        else:
            self._release(pool, environment)
            environment.settle()
        if config is not None:
            self._update_status(key)

    def _update_status(self, key: ProvisionedKey) -> None:
        config = self.provisioned.get(key)
        if config is None:
            return
        environments = [env for env in self.pool(key[0]).provisioned(key[1])
                        if env.version.version == config.version.version]
        available = sum(1 for env in environments if env.state not in (EnvState.STARTING, EnvState.INITIALISING))
        if config.status != "FAILED":
            config.status = "READY" if available >= config.requested else "IN_PROGRESS"
            config.reason = None
        if config.status == "IN_PROGRESS":
            config.settled.clear()
        else:
            config.settled.set()
        config.allocated, config.available = len(environments), available
        if config.published != (config.allocated, available, config.status):
            config.published = (config.allocated, available, config.status)
            self._bus.publish(ProvisionedConcurrencyChanged(
                self._clock.time(), key[0], key[1], config.requested, config.allocated, available, config.status,
                config.reason))

    def utilisation(self, key: ProvisionedKey) -> tuple[int, int]:
        """(busy, allocated) provisioned environments of one configuration."""
        environments = self.pool(key[0]).provisioned(key[1])
        return sum(1 for env in environments if env.state is EnvState.BUSY), len(environments)

    async def wait_provisioned(self, function: str | None = None) -> None:
        """Wait until every provisioned configuration (of ``function``) is READY or FAILED."""
        while True:
            pending = [c for k, c in self.provisioned.items()
                       if (function is None or k[0] == function) and not c.settled.is_set()]
            if not pending:
                return
            await pending[0].settled.wait()
