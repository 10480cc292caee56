"""No text cut at projector and laptop sizes (issue 16's layout polish): hints and empty states wrap to the width
they get, one-line labels fit or elide with a tooltip, the trace list keeps rows beside the waterfall and the
Monitor tab's metric labels do not overlap. Checked by geometry and text metrics, not pixels."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QScrollArea, QStyle, QStyleOptionComboBox, QWidget

from tests.gui.conftest import running_window, wait_for
from workbench.gui.main_window import FRAME_ALLOWANCE, MainWindow
from workbench.gui.models.environment_tiles import EnvironmentTiles
from workbench.gui.models.metrics_history import METRICS
from workbench.gui.widgets.elided_label import ElidedLabel
from workbench.gui.widgets.environment_map import EnvironmentMap
from workbench.model.project import Project

#: A 1280x800 projector and a 1366x768 laptop (less the window manager's frame), and a 1600x1000 screen.
SIZES = [(1280, 800 - FRAME_ALLOWANCE[1]), (1366, 768 - FRAME_ALLOWANCE[1]), (1600, 1000 - FRAME_ALLOWANCE[1])]


def inside(rect: QRectF, widget: QWidget) -> bool:
    """``rect`` (painted text) lies within the widget, to the pixel."""
    return QRectF(widget.rect()).adjusted(-0.5, -0.5, 0.5, 0.5).contains(rect)


def assert_labels_fit(root: QWidget) -> None:
    """Every shown label under ``root`` shows all of its text: on one line, wrapped to its height, or elided
    with the whole text in its tooltip."""
    for label in root.findChildren(QLabel):
        if not label.isVisible() or not label.text() or label.textFormat() == Qt.TextFormat.RichText:
            continue
        room = label.contentsRect()
        if isinstance(label, ElidedLabel):
            assert label.fontMetrics().horizontalAdvance(label.shown_text()) <= room.width(), label.text()
            if label.shown_text() != label.text():
                assert label.toolTip(), f"{label.text()!r} is elided without a tooltip"
        elif label.wordWrap():
            assert label.heightForWidth(label.width()) <= label.height() + 1, f"{label.text()!r} cut at the bottom"
        else:
            widest = max(label.fontMetrics().horizontalAdvance(line) for line in label.text().splitlines())
            assert widest <= room.width(), f"{label.text()!r} needs {widest} px, has {room.width()}"


async def show_section(window: MainWindow, name: str) -> QScrollArea:
    window.show_configuration("greeter")
    view = window.configuration
    tab = {"asynchronous": view.asynchronous, "triggers": view.triggers}[name]
    view.show_tab(tab)
    await wait_for(tab.isVisible, message=f"the {name} section shown")
    page = view.pages.currentWidget()
    assert isinstance(page, QScrollArea)
    return page


@pytest.mark.parametrize("size", SIZES)
async def test_the_asynchronous_and_triggers_sections_wrap_their_texts(project: Project, tmp_path: Path,
                                                                       size: tuple[int, int]) -> None:
    async with running_window(project, tmp_path, size=size) as window:
        await wait_for(lambda: window.docks["events"].width() < 0.3 * size[0] + 60, message="the docks sized")
        page = await show_section(window, "asynchronous")
        pane = window.asynchronous
        timeline = pane.timeline
        await wait_for(lambda: timeline.width() > 0 and page.widget().width() <= page.viewport().width(),
                       message="the section laid out")
        timeline.grab()   # paint: the hint's place is known
        assert timeline.hint_rect is not None and inside(timeline.hint_rect, timeline), \
            f"the hint {timeline.hint_rect} is cut by the timeline {timeline.rect()}"
        assert timeline.hint_rect.height() > timeline.fontMetrics().height() or size[0] > 1500, \
            "at projector size the hint wraps onto more lines"
        # Usable: the timeline, the table and the details are there (the page scrolls down, never sideways).
        assert not page.horizontalScrollBar().isVisible()
        for widget in (timeline, pane.table, pane.details):
            assert widget.isVisible() and widget.height() >= 60 and widget.width() >= 100, type(widget).__name__
        assert_labels_fit(pane)
        page = await show_section(window, "triggers")
        await wait_for(lambda: window.triggers.table.width() > 0, message="the triggers laid out")
        assert not page.horizontalScrollBar().isVisible()
        assert_labels_fit(window.triggers)


@pytest.mark.parametrize("size", SIZES)
async def test_the_environment_map_wraps_its_empty_state(project: Project, tmp_path: Path,
                                                         size: tuple[int, int]) -> None:
    async with running_window(project, tmp_path, size=size) as window:
        await wait_for(lambda: window.docks["events"].width() < 0.3 * size[0] + 60, message="the docks sized")
        env_map = window.environments.map
        await wait_for(env_map.isVisible, message="the map shown")
        env_map.grab()
        assert env_map.hint_rect is not None and inside(env_map.hint_rect, env_map), \
            f"the hint {env_map.hint_rect} is cut by the map {env_map.rect()}"


async def test_a_very_narrow_environment_map_wraps_its_hint_onto_more_lines(qtbot: object) -> None:
    del qtbot
    env_map = EnvironmentMap(EnvironmentTiles())
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(env_map)
    area.resize(200, 300)
    area.show()
    await wait_for(lambda: env_map.width() > 0, message="the map laid out")
    env_map.grab()
    assert env_map.hint_rect is not None and inside(env_map.hint_rect, env_map)
    assert env_map.hint_rect.height() > env_map.fontMetrics().height() + 4, "the hint is on more than one line"
    area.close()


async def test_the_trace_list_keeps_four_rows_and_its_label_fits(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path, size=(1600, 1000 - FRAME_ALLOWANCE[1])) as window:
        traces = window.traces
        await wait_for(lambda: traces.isVisible() and window.docks["events"].width() < 600, message="sized")
        assert not window.tabifiedDockWidgets(window.docks["traces"]), "a wide screen gives the traces a place"
        view = traces.view
        rows = (view.viewport().height()) // view.verticalHeader().defaultSectionSize()
        assert rows >= 4, f"the trace list shows {rows} rows"
        assert traces.waterfall_area.height() >= 50
        assert_labels_fit(traces)
        long = "Cold against warm · a-function-with-a-very-long-name-indeed:$LATEST on docker"
        traces.compared.setText(long)
        traces.compared.setToolTip("")
        assert traces.compared.shown_text() != long and traces.compared.shown_text().endswith("…")
        assert traces.compared.toolTip() == long
        assert_labels_fit(traces)


def combo_text_width(box: QComboBox) -> int:
    option = QStyleOptionComboBox()
    box.initStyleOption(option)
    return box.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                      QStyle.SubControl.SC_ComboBoxEditField, box).width()


@pytest.mark.parametrize("size", SIZES[:2])
async def test_the_monitor_and_event_pane_texts_fit(project: Project, tmp_path: Path, size: tuple[int, int]) -> None:
    async with running_window(project, tmp_path, size=size) as window:
        await wait_for(lambda: window.docks["events"].width() < 0.3 * size[0] + 60, message="the docks sized")
        window.docks["monitoring"].raise_()
        charts = window.monitoring.charts
        await wait_for(charts.isVisible, message="the Monitor tab shown")
        # Each metric's row is at least a line of text tall: the labels never overlap.
        assert (charts.height() - 18) / len(METRICS) >= charts.fontMetrics().height()
        editor = window.event_editor
        saved = editor.saved_box
        assert saved.fontMetrics().horizontalAdvance(saved.currentText()) <= combo_text_width(saved), \
            saved.currentText()
        assert_labels_fit(editor)
