"""Environment pools: every execution environment of a function, grouped by the version it runs.

A request takes the most recently used idle environment of its version (so the fewest stay warm), or
needs a new one: a cold start. One invocation per environment at a time. Provisioned environments are
kept apart, per alias or version they were provisioned for.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from workbench.engine.execution.environment import Environment
from workbench.engine.observation.events import EnvState, InitType

IdleKey = tuple[str, str | None]   # (version, provisioned_for)


@dataclass(frozen=True, slots=True)
class EnvironmentInfo:
    env_id: str
    function: str
    version: str
    state: EnvState
    init_type: InitType
    invocations: int
    age_s: float
    log_stream: str
    provisioned_for: str | None = None


class FunctionPool:
    def __init__(self, function: str) -> None:
        self.function = function
        self.environments: dict[str, Environment] = {}
        self._idle: dict[IdleKey, list[Environment]] = {}
        #: Requests being served right now, cold starts included (the function's concurrent executions).
        self.in_flight = 0
        self.invocations = 0
        self.errors = 0
        self.throttles = 0
        self.cold_starts = 0
        self.spillovers = 0
        #: Requests waiting for an environment of (version, revision), in arrival order.
        self.waiters: dict[tuple[str, int], deque[asyncio.Future[Environment | None]]] = {}

    def add(self, environment: Environment) -> None:
        self.environments[environment.id] = environment

    def discard(self, environment: Environment) -> None:
        self.environments.pop(environment.id, None)
        idle = self._idle.get((environment.version.version, environment.provisioned_for))
        if idle and environment in idle:
            idle.remove(environment)

    def take_idle(self, version: str, revision: int, provisioned_for: str | None = None) -> Environment | None:
        """Pop the most recently used warm environment of ``version`` at ``revision``."""
        idle = self._idle.get((version, provisioned_for))
        if not idle:
            return None
        for index in range(len(idle) - 1, -1, -1):
            candidate = idle[index]
            if candidate.version.revision == revision:
                del idle[index]
                return candidate
        return None

    def put_idle(self, environment: Environment) -> None:
        self._idle.setdefault((environment.version.version, environment.provisioned_for), []).append(environment)

    def idle_environments(self) -> list[Environment]:
        return [env for envs in self._idle.values() for env in envs]

    def provisioned(self, qualifier: str) -> list[Environment]:
        return [env for env in self.environments.values() if env.provisioned_for == qualifier and not env.stopped]
