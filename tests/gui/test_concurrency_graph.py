from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage

from tests.gui.conftest import running_window, wait_for
from workbench.engine.core.errors import TooManyRequestsError
from workbench.engine.core.settings import EngineSettings
from workbench.engine.execution.pool import EnvironmentInfo
from workbench.engine.observation.events import EnvState, InitType, InvocationStarted, Throttled
from workbench.engine.observation.statistics import EngineStatistics, FunctionStatistics
from workbench.gui.models.graph_history import GraphHistory, MarkerKind, counts_of
from workbench.gui.widgets.concurrency_graph import LEGEND_ROW, ConcurrencyGraph, nice_ceiling, y_ticks
from workbench.model.project import Project


def env(state: EnvState, init_type: InitType = InitType.ON_DEMAND) -> EnvironmentInfo:
    return EnvironmentInfo("e", "f", "$LATEST", state, init_type, 0, 0.0, "s")


def test_counts_split_environments_by_state() -> None:
    stats = FunctionStatistics("f", (env(EnvState.BUSY), env(EnvState.BUSY), env(EnvState.FROZEN),
                                     env(EnvState.IDLE), env(EnvState.STARTING),
                                     env(EnvState.IDLE, InitType.PROVISIONED)), 2, 10, 0, 1, 3, 5, 1)
    counts = counts_of(stats)
    assert (counts.busy, counts.idle, counts.initialising, counts.provisioned) == (2, 2, 1, 1)
    assert (counts.concurrent, counts.reserved, counts.provisioned_limit, counts.environments) == (2, 5, 1, 6)


def test_history_is_bounded_and_aggregates() -> None:
    history = GraphHistory(retention_s=10)
    for t in range(30):
        functions = (FunctionStatistics("a", (env(EnvState.BUSY),), 1, 0, 0, 0, 0, None),
                     FunctionStatistics("b", (env(EnvState.IDLE),), 0, 0, 0, 0, 0, None))
        history.add_statistics(EngineStatistics(float(t), 0, "process", functions))
    assert history.snapshots[0].timestamp >= 19
    (_, total), = history.series(None, since=29)
    assert (total.busy, total.idle, total.concurrent) == (1, 1, 1)
    history.add_events([Throttled(29.5, "a", "$LATEST", "x")],
                       [InvocationStarted(29.6, "r", "b", "$LATEST", "e", True),
                        InvocationStarted(29.7, "r", "b", "$LATEST", "e", False)])
    assert history.count(MarkerKind.THROTTLE, "a") == 1 and history.count(MarkerKind.COLD_START) == 1
    assert [m.kind for m in history.markers_since("b", 0)] == [MarkerKind.COLD_START]


def test_axis_maximum_is_round() -> None:
    assert [nice_ceiling(v) for v in (0, 3.2, 4.6, 7, 11, 23, 180)] == [4, 4, 5, 8, 15, 25, 200]


def test_y_axis_ticks_are_whole_round_steps() -> None:
    """D15: ticks were y_max/4 (2.5, 6.25, ...); now whole numbers in steps of 1, 2 or 5 times a power of 10."""
    for value in (0.5, 3.2, 4.6, 5.75, 7, 11, 23, 57.5, 180, 1234):
        ticks = y_ticks(value)
        step = ticks[1] - ticks[0]
        assert ticks[0] == 0 and ticks[-1] >= value and len(ticks) <= 7
        assert all(b - a == step for a, b in itertools.pairwise(ticks))
        assert str(step).strip("0") in ("1", "2", "5"), (value, ticks)


def test_graph_labels_never_overlap(qtbot: object) -> None:
    """D15: the legend wrapped into the plot and "reserved 5" sat on "provisioned 5"."""
    history = GraphHistory()
    stats = FunctionStatistics("f", (env(EnvState.BUSY), env(EnvState.IDLE, InitType.PROVISIONED)), 1, 0, 0, 0, 0,
                               5, 5)
    history.add_statistics(EngineStatistics(1.0, 0, "process", (stats,)))
    graph = ConcurrencyGraph(history)
    graph.resize(320, 200)   # narrow: the legend needs several rows
    latest = history.series("f", 0)[-1][1]
    legend = graph.legend_layout(graph.legend_entries([], latest), graph.fontMetrics().horizontalAdvance)
    boxes = [QRectF(x, y, width, LEGEND_ROW - 2) for x, y, width, _entry in legend]
    assert max(box.bottom() for box in boxes) > LEGEND_ROW, "the legend wrapped"
    assert all(not a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert all(box.right() <= graph.width() for box in boxes)
    plot = QRectF(46, 60, 260, 100)
    labels = [rect for _, rect in graph.limit_label_rects(latest, plot, lambda v: plot.bottom() - v * 10,
                                                          graph.fontMetrics().horizontalAdvance)]
    assert len(labels) == 2 and not labels[0].intersects(labels[1])
    image = QImage(graph.size(), QImage.Format.Format_ARGB32)
    graph.render(image)   # paints with the wrapped legend without error


async def test_graph_shows_scale_out_throttles_and_cold_starts(project: Project, tmp_path: Path) -> None:
    settings = EngineSettings(account_concurrency=3)
    async with running_window(project, tmp_path, settings=settings) as window:
        engine = window.session.require()
        results = await asyncio.gather(*(engine.invoke("greeter", b'{"sleep_ms": 400}') for _ in range(5)),
                                       return_exceptions=True)
        throttled = [r for r in results if isinstance(r, TooManyRequestsError)]
        assert len(throttled) == 2
        history = window.concurrency.history
        await wait_for(lambda: history.count(MarkerKind.THROTTLE) == 2 and history.count(MarkerKind.COLD_START) == 3,
                       message="throttle and cold-start markers")
        peak = max(max(c.busy + c.initialising for _, c in history.series("greeter", 0)), 0)
        assert peak == 3, "three environments served the burst"
        window.concurrency.show_function("greeter")
        assert window.concurrency.graph.function == "greeter"
        window.concurrency.pause_button.click()
        frozen = window.concurrency.graph.time_range()
        # New samples keep arriving (the statistics poll); the paused graph must not follow them.
        await wait_for(lambda: (history.latest_time or 0.0) > frozen[1], message="a newer sample")
        assert window.concurrency.graph.time_range() == frozen, "a paused graph stops sliding"
        window.concurrency.pause_button.click()
        await wait_for(lambda: window.concurrency.graph.time_range() != frozen, message="sliding again")
        path = tmp_path / "graph.png"
        assert window.concurrency.export_png(path)
        image = QImage(str(path))
        assert image.width() == window.concurrency.graph.width() and image.height() > 100
        throttle_red = sum(1 for x in range(image.width()) for y in range(0, image.height(), 2)
                           if image.pixelColor(x, y).name() == "#e03131")
        assert throttle_red > 20, "throttle markers are painted"
