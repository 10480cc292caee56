from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtGui import QImage

from tests.gui.conftest import running_window, wait_for
from workbench.engine.core.errors import TooManyRequestsError
from workbench.engine.core.settings import EngineSettings
from workbench.engine.execution.pool import EnvironmentInfo
from workbench.engine.observation.events import EnvState, InitType, InvocationStarted, Throttled
from workbench.engine.observation.statistics import EngineStatistics, FunctionStatistics
from workbench.gui.models.graph_history import GraphHistory, MarkerKind, counts_of
from workbench.gui.widgets.concurrency_graph import nice_ceiling
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
    assert [nice_ceiling(v) for v in (0, 3.2, 4.6, 7, 11, 23, 180)] == [4, 4, 5, 10, 20, 25, 200]


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
