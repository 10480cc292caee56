from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtGui import QImage

from tests.gui.conftest import running_window, wait_for
from workbench.engine.observation.events import (
    EnvironmentBusy,
    EnvironmentFrozen,
    EnvironmentInitialised,
    EnvironmentStarting,
    EnvironmentStopped,
    EnvState,
    InitType,
)
from workbench.engine.observation.statistics import EngineStatistics
from workbench.gui import theme
from workbench.gui.models.environment_tiles import EnvironmentTiles
from workbench.model.project import Project

COMMON = ("e1", "f", "$LATEST", InitType.ON_DEMAND)


def test_tiles_follow_the_lifecycle_and_linger_when_stopped() -> None:
    tiles = EnvironmentTiles(linger_s=2)
    tiles.apply([EnvironmentStarting(1.0, *COMMON, log_stream="s")])
    assert tiles.tiles["e1"].state is EnvState.INITIALISING
    tiles.apply([EnvironmentInitialised(1.1, *COMMON, init_duration_ms=100.0), EnvironmentBusy(1.2, *COMMON, "r")])
    assert tiles.tiles["e1"].state is EnvState.BUSY
    tiles.apply([EnvironmentFrozen(1.3, *COMMON)])
    assert tiles.live_count() == 1 and tiles.tiles["e1"].state is EnvState.FROZEN
    tiles.apply([EnvironmentStopped(5.0, *COMMON, reason="idle")])
    assert tiles.tiles["e1"].reason == "idle" and tiles.live_count() == 0
    tiles.expire(6.0)
    assert "e1" in tiles.tiles
    tiles.expire(7.0)
    assert tiles.tiles == {}


def test_reconcile_drops_environments_that_vanished() -> None:
    tiles = EnvironmentTiles()
    tiles.apply([EnvironmentStarting(1.0, *COMMON, log_stream="s")])
    tiles.reconcile(EngineStatistics(2.0, 1.0, "process", ()))
    assert tiles.tiles["e1"].state is EnvState.STOPPED and tiles.tiles["e1"].reason == "gone"


async def test_map_shows_environments_scale_out_and_stop(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        engine = window.session.require()
        tiles = window.environments.tiles
        burst = asyncio.gather(*(engine.invoke("greeter", b'{"sleep_ms": 500}') for _ in range(3)))
        await wait_for(lambda: sum(t.state is EnvState.BUSY for t in tiles.tiles.values()) == 3,
                       message="three busy tiles")
        image = window.environments.map.grab().toImage()
        assert _count_colour(image, theme.STATE_COLOURS["busy"]) > 500, "busy tiles are painted"
        await burst
        await wait_for(lambda: all(t.state is EnvState.FROZEN for t in tiles.tiles.values()),
                       message="the three frozen")
        assert {t.invocations for t in tiles.tiles.values()} == {1}
        await engine.stop_environments("greeter")
        await wait_for(lambda: all(t.reason == "manual" for t in tiles.tiles.values()), message="stopped tiles")
        await wait_for(lambda: not tiles.tiles, timeout=10, message="stopped tiles fade away")


def _count_colour(image: QImage, colour: str) -> int:
    return sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
               if image.pixelColor(x, y).name() == colour)
