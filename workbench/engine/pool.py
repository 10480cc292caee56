"""Environment pools: every execution environment of a function, grouped by the version it runs.

A request takes the most recently used idle environment of its version (so the fewest stay warm), or
needs a new one: a cold start. One invocation per environment at a time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from workbench.engine.environment import Environment
from workbench.engine.events import EnvState, InitType


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


class FunctionPool:
    def __init__(self, function: str) -> None:
        self.function = function
        self.environments: dict[str, Environment] = {}
        self._idle: dict[str, list[Environment]] = {}
        #: Requests being served right now (the function's concurrency), cold starts included.
        self.in_flight = 0
        self.invocations = 0
        self.errors = 0
        self.throttles = 0
        self.cold_starts = 0

    def add(self, environment: Environment) -> None:
        self.environments[environment.id] = environment

    def discard(self, environment: Environment) -> None:
        self.environments.pop(environment.id, None)
        idle = self._idle.get(environment.version.version)
        if idle and environment in idle:
            idle.remove(environment)

    def take_idle(self, version: str, revision: int, init_type: InitType | None = None) -> Environment | None:
        """Pop a warm environment of ``version`` at ``revision`` (optionally of one init type)."""
        idle = self._idle.get(version)
        if not idle:
            return None
        for index in range(len(idle) - 1, -1, -1):
            candidate = idle[index]
            if candidate.version.revision == revision and (init_type is None or candidate.init_type is init_type):
                del idle[index]
                return candidate
        return None

    def put_idle(self, environment: Environment) -> None:
        self._idle.setdefault(environment.version.version, []).append(environment)

    def idle_environments(self) -> list[Environment]:
        return [env for envs in self._idle.values() for env in envs]

    def state_counts(self) -> Counter[EnvState]:
        return Counter(env.state for env in self.environments.values())
