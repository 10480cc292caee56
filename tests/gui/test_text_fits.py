"""No text cut at projector and laptop sizes (issue 16's layout polish): hints and empty states wrap to the width
they get, one-line labels fit or elide with a tooltip, the trace list keeps rows beside the waterfall and the
Monitor tab's metric labels do not overlap. Checked by geometry and text metrics, not pixels."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QStyle,
    QStyleOptionComboBox,
    QStyleOptionFrame,
    QWidget,
)

from tests.gui.conftest import invoke_through_ui, running_window, wait_for
from tests.gui.test_layout import rect_in
from workbench.gui.main_window import FRAME_ALLOWANCE, MainWindow
from workbench.gui.models.environment_tiles import EnvironmentTiles
from workbench.gui.models.metrics_history import METRICS
from workbench.gui.widgets.elided_label import ElidedLabel
from workbench.gui.widgets.environment_map import EnvironmentMap
from workbench.gui.widgets.record_table import RecordTable
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
        content = page.widget()
        assert content is not None
        await wait_for(lambda: timeline.width() > 0 and content.width() <= page.viewport().width(),
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
        await invoke_through_ui(window, "greeter", "{}")   # a cold start: the waterfall's tallest picture
        await wait_for(lambda: traces.model.rowCount() == 1 and traces.selected is not None,
                       message="the invocation listed and drawn")
        view = traces.view
        rows = (view.viewport().height()) // view.verticalHeader().defaultSectionSize()
        assert rows >= 4, f"the trace list shows {rows} rows"
        # One invocation's waterfall is whole: its area is as tall as the drawing and does not scroll.
        area, waterfall = traces.waterfall_area, traces.waterfall
        assert area.viewport().height() >= waterfall.minimumHeight(), (area.viewport().height(), waterfall.height())
        assert not area.verticalScrollBar().isVisible()
        assert rect_in(waterfall, traces).bottom() <= traces.rect().bottom()
        # ... while the code editor above keeps more than its twelve lines.
        window.open_function_code("greeter")
        tab = window.code_editor.current()
        assert tab is not None
        await wait_for(tab.view.isVisible, message="the editor shown")
        assert tab.view.viewport().height() // tab.view.fontMetrics().lineSpacing() >= 12
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


def line_edit_text_width(field: QLineEdit) -> int:
    """The room a line edit gives its text: the style's contents rectangle less the text margins and Qt's 2 px
    inset on each side."""
    option = QStyleOptionFrame()
    field.initStyleOption(option)
    contents = field.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, field)
    return contents.width() - field.textMargins().left() - field.textMargins().right() - 4


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
        # The event name field shows its whole placeholder (it showed "na…" at 1280x800), the dock no wider.
        name = editor.name_field
        assert name.isVisible()
        assert name.fontMetrics().horizontalAdvance(name.placeholderText()) <= line_edit_text_width(name), \
            (name.placeholderText(), name.width())
        for button in (editor.save_button, editor.delete_button):
            assert button.fontMetrics().horizontalAdvance(button.text()) < button.width(), button.text()
        assert_labels_fit(editor)


def cut_titles(root: QWidget) -> list[str]:
    """The column titles under ``root`` narrower than their text (shown headers, shown sections)."""
    cut = []
    for header in root.findChildren(QHeaderView):
        if header.isHidden() or header.orientation() != Qt.Orientation.Horizontal or header.model() is None:
            continue
        model = header.model()
        margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
        for section in range(header.count()):
            if header.isSectionHidden(section):
                continue
            title = str(model.headerData(section, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
            needed = header.fontMetrics().horizontalAdvance(title) + 2 * margin
            if header.sectionSize(section) < needed:
                cut.append(f"{title!r}: {header.sectionSize(section)} px of {needed}")
    return cut


@pytest.mark.parametrize("size", [SIZES[0], SIZES[2]])
async def test_no_column_title_is_cut(project: Project, tmp_path: Path, size: tuple[int, int]) -> None:
    """Every header of every dock and of every Configuration section is at least as wide as its titles (Traces'
    "Overhead ms", Versions' "Description", Asynchronous "State" were elided); tables scroll sideways instead."""
    async with running_window(project, tmp_path, size=size) as window:
        await wait_for(lambda: window.docks["events"].width() < 0.3 * size[0] + 60, message="the docks sized")
        engine = window.session.require()
        await engine.publish_version("greeter")
        await engine.create_alias("greeter", "live", "1")
        window.bridge.flush()
        await invoke_through_ui(window, "greeter", "{}")
        for name in ("logs", "traces", "resources", "pipeline", "monitoring"):
            window.docks[name].raise_()
            await wait_for(window.docks[name].isVisible, message=f"the {name} dock shown")
            assert not cut_titles(window), (name, cut_titles(window))
        window.show_configuration("greeter")
        view = window.configuration
        for row in range(view.sections.count()):
            view.sections.setCurrentRow(row)
            await wait_for(view.current_tab().isVisible, message=f"section {row} shown")
            assert not cut_titles(window), (view.sections.item(row).text(), cut_titles(window))
        # Bigger type (Preferences, the Presentation preset) widens the titles with it.
        window.traces.view.setFont(QFont(window.traces.view.font().family(), 16))
        assert not cut_titles(window.traces), cut_titles(window.traces)


async def test_a_column_narrowed_below_its_title_is_widened_back(qtbot: object) -> None:
    del qtbot
    table = RecordTable(("Version", "Description", "Routing configuration"))
    table.resize(160, 120)
    table.show()
    header = table.horizontalHeader()
    for section in range(3):
        header.resizeSection(section, 10)   # as a fixed width or a user's drag would
    await wait_for(table.isVisible, message="the table shown")
    assert not cut_titles(table), cut_titles(table)
    assert header.length() > table.viewport().width(), "the table scrolls sideways instead"
    table.close()
