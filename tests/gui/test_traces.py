from __future__ import annotations

from pathlib import Path

from pytestqt.modeltest import ModelTester

from tests.gui.conftest import invoke_through_ui, running_window, wait_for
from workbench.model.project import Project


async def test_recent_invocations_and_cold_against_warm(project: Project, tmp_path: Path,
                                                       qtmodeltester: ModelTester) -> None:
    async with running_window(project, tmp_path) as window:
        traces = window.traces
        qtmodeltester.check(traces.model, force_py=True)
        await invoke_through_ui(window, "greeter", "{}")
        cold_request = window.event_editor.result_view.result.request_id  # type: ignore[union-attr]
        await invoke_through_ui(window, "greeter", "{}")
        await invoke_through_ui(window, "other", "{}")
        await wait_for(lambda: traces.model.rowCount() == 3, message="three traces")
        model = traces.model
        assert [model.index(r, 1).data() for r in range(3)] == ["other", "greeter", "greeter"]   # newest first
        assert [model.index(r, 2).data() for r in range(3)] == ["cold", "warm", "cold"]
        assert model.index(2, 3).data() != "" and model.index(1, 3).data() == ""   # init only when cold
        row = model.row_of(cold_request)
        traces.view.setCurrentIndex(model.index(row, 0))
        waterfall = traces.waterfall
        assert waterfall.cold is not None and waterfall.cold.request_id == cold_request
        assert waterfall.warm is not None and waterfall.warm.function == "greeter" and not waterfall.warm.cold_start
        assert waterfall.cold.initialization is not None and waterfall.cold.initialization.duration_ms > 0
        image = waterfall.grab().toImage()
        init_orange = sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
                          if image.pixelColor(x, y).name() == "#f0a30a")
        assert init_orange > 50, "the initialization bar is painted"
        traces.view.doubleClicked.emit(model.index(row, 0))
        assert window.logs.request_field.text() == cold_request


async def test_earlier_sessions_traces_and_their_stored_lines(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        await invoke_through_ui(window, "greeter", '{"name": "yesterday"}')
        earlier = window.event_editor.result_view.result.request_id  # type: ignore[union-attr]
    async with running_window(project, tmp_path) as window:      # a new session on the same project
        traces = window.traces
        await wait_for(lambda: traces.model.row_of(earlier) >= 0, message="the stored trace")
        assert traces.model.trace_at(traces.model.row_of(earlier)).cold_start
        await invoke_through_ui(window, "greeter", "{}")
        await wait_for(lambda: traces.model.rowCount() == 2, message="a live trace on top")
        assert traces.model.trace_at(1).request_id == earlier
        traces.view.doubleClicked.emit(traces.model.index(1, 0))    # its lines are not in the live tail
        await window.operations.wait_idle()
        detail = window.logs.detail.toPlainText()
        assert detail.startswith("From the project's stored logs")
        assert f"START RequestId: {earlier}" in detail and "handled yesterday" in detail
