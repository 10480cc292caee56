from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tests.gui.conftest import invoke_through_ui, running_window, wait_for
from workbench.engine.observation.events import LogLine
from workbench.gui.bridge import EventBatch
from workbench.gui.models.log_lines import Level, LineKind, LogFilter, classify, display_text
from workbench.gui.models.log_model import MESSAGE, LogModel
from workbench.gui.panes.logs import LogsPane
from workbench.model.project import Project


def test_lines_are_classified() -> None:
    assert classify("START RequestId: r Version: $LATEST", True) == (LineKind.START, Level.INFO)
    assert classify("REPORT RequestId: r\tDuration: 1.00 ms\tStatus: timeout", True)[1] is Level.ERROR
    assert classify("INIT_START Runtime Version: python:3.11", True)[0] is LineKind.INIT
    assert classify("[WARNING]\t2024-01-01T00:00:00.000Z\tr\tcareful", False) == (LineKind.OUTPUT, Level.WARN)
    assert classify("2024-01-01T00:00:00.000Z\tr\tERROR\tboom", False)[1] is Level.ERROR
    assert classify('{"level": "DEBUG", "message": "x"}', False)[1] is Level.DEBUG
    assert classify("plain print", False) == (LineKind.OUTPUT, Level.INFO)
    assert display_text("a\rb\tc") == "a ⏎ b  c"


def line(i: int, function: str = "f", request: str | None = "r", message: str = "hello") -> LogLine:
    return LogLine(float(i), function, "stream", request, f"{message} {i}", False)


def test_filter_and_eviction(qtmodeltester: ModelTester) -> None:
    model = LogModel(capacity=100)
    qtmodeltester.check(model, force_py=True)
    model.append([line(i, "a" if i % 2 else "b", f"req-{i // 10}") for i in range(60)])
    model.set_filter(LogFilter(function="a"))
    assert model.rowCount() == 30
    model.append([line(i, "a" if i % 2 else "b", f"req-{i // 10}") for i in range(60, 120)])
    assert model.total <= 100                     # the oldest lines were dropped in a chunk
    assert all(model.line_at(r).function == "a" for r in range(model.rowCount()))
    assert model.line_at(0).timestamp >= 120 - model.total
    model.set_filter(LogFilter(request_id="req-11"))
    assert model.line_at(0).message == "hello 110"
    model.set_filter(LogFilter(text="HELLO 11"))
    assert model.rowCount() == 10                 # "hello 110".."hello 119", case-insensitive ("hello 11" is gone)
    model.set_filter(LogFilter())
    assert model.rowCount() == model.total


def test_a_million_lines_stay_cheap() -> None:
    model = LogModel()
    batch = [line(i, "f" if i % 3 else "g", f"r{i // 4}") for i in range(10_000)]
    started = time.perf_counter()
    for _ in range(100):
        model.append(batch)
    appended = time.perf_counter() - started
    assert model.rowCount() == 1_000_000
    started = time.perf_counter()
    for row in range(0, 1_000_000, 997):            # what a scrolling view asks for
        model.data(model.index(row, MESSAGE))
        model.data(model.index(row, MESSAGE), Qt.ItemDataRole.ForegroundRole)
    lookups = time.perf_counter() - started
    started = time.perf_counter()
    model.set_filter(LogFilter(function="g", text="99"))
    filtered = time.perf_counter() - started
    model.append(batch)                              # past capacity: a chunk of the oldest goes
    assert model.total <= 1_000_000
    # generous bounds for a shared 2-core machine; per batch of 10,000 lines, well under a frame
    assert appended / 100 < 0.1, f"{appended / 100:.3f} s per 10,000-line batch"
    assert lookups < 1.0 and filtered < 5.0, (lookups, filtered)


async def test_live_tail_filters_and_styles(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        logs = window.logs
        await invoke_through_ui(window, "greeter", '{"name": "first", "warn": "hot"}')
        await invoke_through_ui(window, "other", '{"name": "second"}')
        first = window.traces.model.latest("greeter", True)
        await wait_for(lambda: (logs.model.total >= 10 and first is not None) or window.traces.model.rowCount() >= 2,
                       message="log lines")
        await wait_for(lambda: any(logs.model.line_at(r).message.startswith("REPORT")
                                   and logs.model.line_at(r).function == "other" for r in range(logs.model.rowCount())),
                       message="the second REPORT")
        model = logs.model
        kinds = {model.kind_at(r)[0] for r in range(model.rowCount())}
        assert {LineKind.START, LineKind.END, LineKind.REPORT, LineKind.INIT, LineKind.OUTPUT} <= kinds
        start_row = next(r for r in range(model.rowCount()) if model.kind_at(r)[0] is LineKind.START)
        assert model.index(start_row, MESSAGE).data(Qt.ItemDataRole.FontRole).bold()
        assert model.index(start_row, MESSAGE).data(Qt.ItemDataRole.BackgroundRole) is not None
        logs.function_box.setCurrentText("other")
        logs.apply_filter()
        assert model.rowCount() > 0 and all(model.line_at(r).function == "other" for r in range(model.rowCount()))
        logs.function_box.setCurrentText("All functions")
        logs.level_box.setCurrentIndex(2)             # WARN and above
        logs.apply_filter()
        assert [model.line_at(r).message.split("\t")[-1] for r in range(model.rowCount())] == ["careful: hot"]
        logs.level_box.setCurrentIndex(0)
        logs.text_field.setText("handled second")
        logs.apply_filter()
        assert model.rowCount() == 1
        assert "1 of" in logs.count_label.text()


async def test_jump_from_an_invocation_to_its_lines(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        await invoke_through_ui(window, "greeter", '{"name": "one"}')
        await invoke_through_ui(window, "greeter", '{"name": "two"}')
        result = window.event_editor.result_view.result
        assert result is not None
        await wait_for(lambda: window.logs.model.first_row_of(result.request_id) >= 0 and any(
            window.logs.model.line_at(r).message.startswith("REPORT RequestId: " + result.request_id)
            for r in range(window.logs.model.rowCount())), message="the invocation's lines")
        window.event_editor.result_view.logs_button.click()
        model = window.logs.model
        messages = [model.line_at(r).message for r in range(model.rowCount())]
        assert messages[0].startswith("START RequestId: " + result.request_id)
        assert messages[-1].startswith("REPORT RequestId: " + result.request_id)
        assert any("handled two" in m for m in messages) and not any("handled one" in m for m in messages)
        assert window.logs.view.currentIndex().row() == 0
        assert result.request_id in window.logs.detail.toPlainText()


def test_follow_shows_the_newest_line(qtbot: QtBot) -> None:
    """D7: with Follow on, the newest line was left below the view (a horizontal scroll bar appeared over it,
    or the logs tab was behind the traces while lines arrived)."""
    pane = LogsPane()
    qtbot.addWidget(pane)
    pane.resize(700, 220)
    pane.show()
    qtbot.waitExposed(pane)

    def add(first: int, count: int, width: int) -> None:
        pane.add_events(EventBatch(logs=[LogLine(float(i), "f", "s", "r", f"line {i} " + "x" * width)
                                         for i in range(first, first + count)]))
        pane.flush()

    add(0, 50, 10)
    qtbot.waitUntil(lambda: pane.newest_line_visible(), timeout=2000)
    add(50, 30, 400)   # long lines: the horizontal scroll bar appears and would cover the last row
    qtbot.waitUntil(lambda: pane.newest_line_visible(), timeout=2000)
    pane.hide()
    add(80, 40, 10)    # arriving while hidden (a tab behind the traces)
    pane.show()
    qtbot.waitUntil(lambda: pane.newest_line_visible(), timeout=2000)
    pane.follow_box.setChecked(False)
    pane.view.scrollToTop()
    add(120, 40, 10)
    assert not pane.newest_line_visible(), "without Follow the view stays where the user put it"
    pane.follow_box.setChecked(True)
    qtbot.waitUntil(lambda: pane.newest_line_visible(), timeout=2000)
