"""The window at projector sizes (D4, D5, D6, D19): what a class must see is inside its dock, checked by
geometry; the Presentation preset; glyphs the bundled font (DejaVu) has."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QWidget,
)

from tests.gui.conftest import invoke_through_ui, running_window, wait_for
from workbench.gui.main_window import FRAME_ALLOWANCE, MainWindow
from workbench.model.project import Project


def rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def assert_fully_shown(widget: QWidget, window: MainWindow, dock_name: str) -> None:
    dock = window.docks[dock_name]
    assert widget.isVisible(), f"{widget} is hidden"
    inner = rect_in(widget, dock)
    assert dock.rect().contains(inner), f"{widget.objectName() or type(widget).__name__} {inner} outside {dock.rect()}"
    assert window.rect().contains(rect_in(dock, window)), f"the {dock_name} dock leaves the window"


@pytest.mark.parametrize("size", [(1280, 800), (1366, 768)])
async def test_invoke_save_qualifier_result_and_ten_payload_lines_fit(project: Project, tmp_path: Path,
                                                                      size: tuple[int, int]) -> None:
    async with running_window(project, tmp_path, size=size) as window:
        await wait_for(lambda: window.docks["events"].width() < 500, message="the docks sized")
        editor = window.event_editor
        long_name = "x" * 400   # a long answer must wrap in the headline, not widen the dock
        await invoke_through_ui(window, "greeter", f'{{"name": "{long_name}"}}')
        dock_width = window.docks["events"].width()
        result = editor.result_view
        await wait_for(lambda: result.visible_payload_lines() >= 10, message="10 payload lines")
        for widget in (editor.invoke_button, editor.save_button, editor.delete_button, editor.qualifier_box,
                       editor.function_box, result.headline, result.logs_button, result.payload,
                       *result.fields.values()):
            assert_fully_shown(widget, window, "events")
        assert window.docks["events"].width() == dock_width
        assert window.docks["events"].width() < size[0] * 0.4
        assert window.statusBar().isVisible() and window.rect().contains(rect_in(window.statusBar(), window))
        # The message bar floats over the editor: showing it does not move the text.
        tab_top = rect_in(window.code_editor, window).top()
        window.message_bar.info("something happened")
        assert rect_in(window.code_editor, window).top() == tab_top
        assert window.message_bar.geometry().top() == 0 and window.message_bar.isVisible()


async def test_the_presentation_preset_makes_fonts_and_live_views_big(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path, size=(1280, 800)) as window:
        await wait_for(lambda: window.docks["events"].width() < 500, message="the docks sized")
        points = window.event_editor.invoke_button.font().pointSize()
        graph_height = window.concurrency.graph.height()
        window.presentation_action.trigger()
        await wait_for(lambda: window.concurrency.graph.height() > graph_height, message="a bigger graph")
        await wait_for(lambda: window.event_editor.invoke_button.font().pointSize() > points, message="big type")
        for name in ("concurrency", "environments", "traces"):
            assert window.docks[name].isVisible() and window.docks[name].width() > 1280 * 0.25, name
        await wait_for(lambda: window.docks["concurrency"].height() > 800 * 0.55, message="the graph tall")
        window.presentation_action.trigger()
        await wait_for(lambda: window.event_editor.invoke_button.font().pointSize() == points,
                       message="the standard font")
        assert window.docks["logs"].isVisible() and window.docks["functions"].isVisible()


async def test_every_glyph_shown_is_in_the_bundled_font(project: Project, tmp_path: Path) -> None:
    metrics = QFontMetrics(QFont("DejaVu Sans"))
    async with running_window(project, tmp_path) as window:
        await invoke_through_ui(window, "greeter", "{}")
        window.event_editor.mode_box.setCurrentIndex(1)
        await invoke_through_ui(window, "greeter", "{}")
        texts = [action.text() for action in window.findChildren(type(window.invoke_action))]
        texts += [w.text() for w in window.findChildren(QAbstractButton)] + [w.text() for w in
                                                                            window.findChildren(QLabel)]
        missing = {ch for text in texts for ch in text if ord(ch) > 0x2000 and not metrics.inFontUcs4(ord(ch))}
        assert not missing, [f"U+{ord(ch):04X}" for ch in missing]


#: The window's size on a 1280x800 projector and a 1366x768 laptop: the screen less the window manager's frame.
SMALL_SCREENS = [(1280, 800 - FRAME_ALLOWANCE[1]), (1366, 768 - FRAME_ALLOWANCE[1])]
FIELDS = (QAbstractButton, QLineEdit, QAbstractSpinBox, QComboBox, QAbstractItemView, QLabel)


@pytest.mark.parametrize("size", SMALL_SCREENS)
async def test_the_configuration_view_fits_beside_the_code(project: Project, tmp_path: Path,
                                                           size: tuple[int, int]) -> None:
    """Every section title and every field of every form section is inside the visible view, nothing scrolls
    sideways; the live sections (asynchronous queue, triggers) may scroll down, never sideways."""
    async with running_window(project, tmp_path, size=size) as window:
        await wait_for(lambda: window.docks["events"].width() < 500, message="the docks sized")
        engine = window.session.require()
        await engine.publish_version("greeter")
        await engine.create_alias("greeter", "live", "1")
        window.bridge.flush()
        window.show_configuration("greeter")
        view, central = window.configuration, window.centralWidget()
        assert central is not None
        await wait_for(view.isVisible, message="the view shown")
        assert window.code_editor.tabs_widget.currentWidget() is view
        assert central.rect().contains(rect_in(view, central))
        assert view.width() >= view.minimumSizeHint().width() and view.height() >= view.minimumSizeHint().height()
        sections = view.sections
        for row in range(sections.count()):
            assert sections.viewport().rect().contains(sections.visualItemRect(sections.item(row))), row
        assert not sections.horizontalScrollBar().isVisible() and not sections.verticalScrollBar().isVisible()
        for widget in (view.title, view.note):
            assert view.rect().contains(rect_in(widget, view))
        for row in range(sections.count()):
            sections.setCurrentRow(row)
            page, tab = view.pages.currentWidget(), view.current_tab()
            assert page is not None
            await wait_for(tab.isVisible, message=f"section {row} shown")
            if isinstance(page, QScrollArea):   # a live section
                assert not page.horizontalScrollBar().isVisible(), sections.item(row).text()
                shown = [tab.function_box]   # type: ignore[attr-defined]
            else:
                shown = [w for w in tab.findChildren(QWidget) if isinstance(w, FIELDS) and w.isVisible()]
                assert shown, sections.item(row).text()
            for widget in shown:
                inner = rect_in(widget, page)
                assert page.rect().contains(inner), f"{sections.item(row).text()}: {type(widget).__name__} " \
                                                    f"{inner} outside {page.rect()}"
            assert view.rect().contains(rect_in(page, view))


@pytest.mark.parametrize("size", SMALL_SCREENS)
async def test_the_code_editor_shows_twelve_lines_on_a_small_screen(project: Project, tmp_path: Path,
                                                                    size: tuple[int, int]) -> None:
    async with running_window(project, tmp_path, size=size) as window:
        await wait_for(lambda: window.docks["events"].width() < 500, message="the docks sized")
        window.open_function_code("greeter")
        tab = window.code_editor.current()
        assert tab is not None
        view = tab.view
        await wait_for(view.isVisible, message="the editor shown")
        assert view.viewport().height() // view.fontMetrics().lineSpacing() >= 12
        # The Functions tree beside it has room for a handful of functions and their versions.
        assert window.functions.height() >= 8 * view.fontMetrics().lineSpacing()
