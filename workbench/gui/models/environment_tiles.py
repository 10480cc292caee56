"""The environment map's data: one tile per execution environment, following its lifecycle events.

A stopped environment's tile lingers, greyed, for `LINGER_S` with the reason it stopped ("idle",
"code-update", ...) so a class sees it go instead of it silently vanishing. Statistics snapshots correct
the picture (invocation counts, and environments whose events were missed, e.g. after a backend switch).
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.engine import (
    EngineStatistics,
    EnvironmentEvent,
    EnvironmentInitFailed,
    EnvironmentInitialised,
    EnvironmentStarting,
    EnvironmentStopped,
    EnvState,
    InitType,
)

LINGER_S = 2.5


@dataclass(slots=True)
class Tile:
    env_id: str
    function: str
    version: str
    init_type: InitType
    state: EnvState
    invocations: int = 0
    stopped_at: float | None = None
    reason: str = ""
    failed: bool = False
    #: Wall-clock time the environment started (the age in its tooltip), when known.
    created_at: float | None = None
    init_duration_ms: float | None = None
    provisioned_for: str | None = None

    @property
    def short_id(self) -> str:
        return self.env_id[:4]

    def describe(self, now: float) -> str:
        """The tile's tooltip: everything the tile is too small to say."""
        init = {InitType.PROVISIONED: "provisioned concurrency", InitType.ON_DEMAND: "on-demand"}[self.init_type]
        lines = [f"Environment {self.env_id}", f"Function {self.function}, version {self.version}"
                 + (f" (provisioned for {self.provisioned_for})" if self.provisioned_for else ""),
                 f"State: {self.state.value}" + (f" ({self.reason})" if self.reason else "")
                 + (", init failed" if self.failed else ""),
                 f"Init type: {init}"
                 + (f", init took {self.init_duration_ms:.0f} ms" if self.init_duration_ms is not None else ""),
                 f"Invocations: {self.invocations}"]
        if self.created_at is not None:
            lines.append(f"Age: {format_age(max(0.0, (self.stopped_at or now) - self.created_at))}")
        return "\n".join(lines)


def format_age(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min {seconds % 60:.0f} s"
    return f"{seconds // 3600:.0f} h {seconds % 3600 // 60:.0f} min"


class EnvironmentTiles:
    def __init__(self, linger_s: float = LINGER_S) -> None:
        self.linger_s = linger_s
        self.tiles: dict[str, Tile] = {}   # insertion order = order of appearance

    def apply(self, events: list[EnvironmentEvent]) -> None:
        for event in events:
            tile = self.tiles.get(event.env_id)
            if tile is None:
                if isinstance(event, EnvironmentStopped):
                    continue
                tile = Tile(event.env_id, event.function, event.version, event.init_type, event.state)
                self.tiles[event.env_id] = tile
            if isinstance(event, EnvironmentStarting):
                tile.state = EnvState.INITIALISING
                tile.created_at = event.timestamp
            elif isinstance(event, EnvironmentInitialised):
                tile.state = event.state
                tile.failed = False
                tile.init_duration_ms = event.init_duration_ms
            elif isinstance(event, EnvironmentInitFailed):
                tile.failed = True
            elif isinstance(event, EnvironmentStopped):
                tile.state = EnvState.STOPPED
                tile.stopped_at = event.timestamp
                tile.reason = event.reason
            else:
                tile.state = event.state
                tile.failed = False

    def reconcile(self, statistics: EngineStatistics) -> None:
        live = {env.env_id: env for f in statistics.functions for env in f.environments}
        for env_id, env in live.items():
            tile = self.tiles.get(env_id)
            if tile is None:
                tile = self.tiles[env_id] = Tile(env_id, env.function, env.version, env.init_type, env.state)
            if tile.state is not EnvState.STOPPED:
                tile.invocations = env.invocations
                tile.provisioned_for = env.provisioned_for
                if tile.created_at is None:
                    tile.created_at = statistics.timestamp - env.age_s
        for tile in self.tiles.values():
            if tile.env_id not in live and tile.state is not EnvState.STOPPED:
                tile.state, tile.stopped_at, tile.reason = EnvState.STOPPED, statistics.timestamp, "gone"
        self.expire(statistics.timestamp)

    def expire(self, now: float) -> None:
        gone = [env_id for env_id, tile in self.tiles.items()
                if tile.stopped_at is not None and now - tile.stopped_at >= self.linger_s]
        for env_id in gone:
            del self.tiles[env_id]

    def clear(self) -> None:
        self.tiles.clear()

    def by_function(self) -> dict[str, list[Tile]]:
        grouped: dict[str, list[Tile]] = {}
        for tile in self.tiles.values():
            grouped.setdefault(tile.function, []).append(tile)
        return dict(sorted(grouped.items()))

    def live_count(self) -> int:
        return sum(1 for tile in self.tiles.values() if tile.state is not EnvState.STOPPED)
