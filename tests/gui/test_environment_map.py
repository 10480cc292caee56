from __future__ import annotations

import asyncio
import time
from pathlib import Path

from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QScrollArea
from pytestqt.qtbot import QtBot

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
from workbench.gui.panes.environments import EnvironmentsPane
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


def test_the_map_scrolls_to_every_tile_and_each_has_a_tooltip(qtbot: QtBot) -> None:
    """D9: 60 environments in a small pane were cut off (no scroll bar); tiles had no tooltips."""
    pane = EnvironmentsPane()
    qtbot.addWidget(pane)
    pane.resize(330, 200)
    pane.show()
    qtbot.waitExposed(pane)
    now = time.time()
    pane.tiles.apply([EnvironmentStarting(now - 75, f"env{i:03d}", "f", "1", InitType.ON_DEMAND, log_stream="s")
                      for i in range(60)])
    pane.tiles.apply([EnvironmentInitialised(now - 74, "env000", "f", "1", InitType.ON_DEMAND,
                                             init_duration_ms=123.0)])
    pane.map.refresh()
    scroll = pane.findChild(QScrollArea)
    assert scroll is not None
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0, timeout=2000)
    rects = pane.map.tile_rects()
    assert len(rects) == 60
    last = rects[-1][0]
    assert last.bottom() <= pane.map.height(), "the last tile is inside the map, so scrolling reaches it"
    scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
    visible = scroll.viewport().rect().translated(0, scroll.verticalScrollBar().value())
    assert visible.contains(last.toAlignedRect())
    tile = pane.map.tile_at(rects[0][0].center())
    assert tile is not None and tile.env_id == "env000"
    tip = tile.describe(now)
    for part in ("Environment env000", "State: idle", "Init type: on-demand", "init took 123 ms",
                 "Invocations: 0", "Age: 1 min 15 s"):
        assert part in tip, (part, tip)
    assert pane.map.tile_at(QPointF(1, 1)) is None


def test_a_group_headline_is_never_cut(qtbot: QtBot) -> None:
    """D-item "nothing cut": in a narrow map the headline drops words, then elides the name in the middle."""
    from PySide6.QtGui import QFont, QFontMetrics

    from workbench.gui.widgets.environment_map import group_headline

    metrics = QFontMetrics(QFont())
    whole = group_headline(metrics, "hello-python", 3, 10_000)
    assert whole == "hello-python  ·  3 environments"
    for width in (60, 120, 180, metrics.horizontalAdvance(whole) - 1):
        text = group_headline(metrics, "hello-python", 3, width)
        assert text.endswith("·  3"), text          # the count always shows
        assert metrics.horizontalAdvance(text) <= max(width, metrics.horizontalAdvance("…  ·  3")), (width, text)
    assert group_headline(metrics, "hello-python", 1, metrics.horizontalAdvance("hello-python  ·  1")) == \
        "hello-python  ·  1"
