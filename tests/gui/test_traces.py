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


async def test_traces_follow_the_newest_keep_a_chosen_row_and_compare_like_with_like(project: Project,
                                                                                      tmp_path: Path) -> None:
    """D14: the viewer follows new invocations (a toggle); a chosen row and its waterfall stay together as new
    rows arrive above it; cold and warm are compared for the same function, version and backend."""
    async with running_window(project, tmp_path) as window:
        traces, model = window.traces, window.traces.model
        assert traces.follow_box.isChecked()
        await invoke_through_ui(window, "greeter", "{}")            # cold, $LATEST
        await wait_for(lambda: model.rowCount() == 1, message="the first trace")
        engine = window.session.require()
        await engine.publish_version("greeter")
        await invoke_through_ui(window, "greeter", "{}")            # warm, $LATEST
        window.event_editor.select_function("greeter", "1")
        await invoke_through_ui(window, "greeter", "{}")            # cold, version 1
        await wait_for(lambda: model.rowCount() == 3, message="three traces")
        assert traces.selected is not None and traces.selected.request_id == model.trace_at(0).request_id
        assert traces.waterfall.cold is traces.selected and traces.selected.version == "1"
        assert traces.waterfall.warm is None, "version 1 has no warm call: $LATEST's is not its counterpart"
        assert "no warm call" in traces.compared.text() and "on process" in traces.compared.text()

        cold_latest = model.trace_at(2)
        traces.view.setCurrentIndex(model.index(2, 0))               # the user picks an older row
        assert not traces.follow_box.isChecked()
        assert traces.waterfall.cold is cold_latest and traces.waterfall.warm is model.trace_at(1)
        await invoke_through_ui(window, "other", "{}")
        await wait_for(lambda: model.rowCount() == 4, message="a fourth trace")
        current = traces.view.selectionModel().selectedRows()
        assert [index.row() for index in current] == [3] and traces.selected is cold_latest
        assert traces.waterfall.cold is cold_latest, "the waterfall still draws the highlighted row"
        traces.follow_box.setChecked(True)
        assert traces.selected is model.trace_at(0) and traces.selected.function == "other"
