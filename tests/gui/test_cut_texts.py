"""Issue 16: texts the lead saw cut in real windows at 1280x800. The message bar's symbol sits beside its text
(it was drawn over the first character), and the result grid's request id wraps or elides inside the dock.
Checked by geometry and font metrics."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QStyle, QWidget

from tests.gui.conftest import invoke_through_ui, running_window, wait_for
from tests.gui.test_layout import rect_in
from workbench.gui.main_window import FRAME_ALLOWANCE
from workbench.gui.widgets.id_label import IdLabel
from workbench.model.project import Project

SIZES = [(1280, 800 - FRAME_ALLOWANCE[1]), (1600, 1000 - FRAME_ALLOWANCE[1])]
LOAD_REPORT = ("180 requests in 6.3 s: 91 succeeded, 89 throttled, 0 failed, served by 91 on-demand; peak 5 "
               "environments, 4 cold starts; p50 301.9 ms, p99 348.8 ms, 14.5/s")


def painted_glyphs(label: QLabel, ancestor: QWidget) -> QRect:
    """Where ``label``'s (one-line) text is inked, in ``ancestor``'s coordinates: placed by the label's alignment
    in its contents (as QLabel draws it), the glyphs' bounding box from the font's metrics."""
    metrics = label.fontMetrics()
    line = QSize(metrics.horizontalAdvance(label.text()), metrics.height())
    block = QStyle.alignedRect(label.layoutDirection(), label.alignment(), line, label.contentsRect())
    ink = metrics.boundingRect(label.text()).translated(block.left(), block.top() + metrics.ascent())
    return QRect(label.mapTo(ancestor, ink.topLeft()), ink.size())


@pytest.mark.parametrize("size", SIZES)
async def test_the_message_bar_icon_sits_beside_its_text(project: Project, tmp_path: Path,
                                                         size: tuple[int, int]) -> None:
    async with running_window(project, tmp_path, size=size) as window:
        bar = window.message_bar
        bar.info(LOAD_REPORT)
        icon, text = bar._icon, bar._text
        await wait_for(lambda: text.isVisible() and text.width() > 100, message="the message laid out")
        glyph = painted_glyphs(icon, bar)
        text_rect = QRect(text.mapTo(bar, text.contentsRect().topLeft()), text.contentsRect().size())
        assert bar.rect().contains(glyph), f"the symbol {glyph} outside the bar {bar.rect()}"
        assert not glyph.intersects(text_rect), f"the symbol {glyph} over the text {text_rect}"
        assert text_rect.left() - glyph.right() > 4, "the symbol touches the text"
        # On the first line of the text, not beside the second.
        first_line = QRect(text_rect.left(), text_rect.top(), text_rect.width(), text.fontMetrics().lineSpacing())
        assert first_line.top() <= glyph.center().y() <= first_line.bottom(), (glyph, first_line)
        assert text.heightForWidth(text.width()) <= text.height() + 1, "the message cut at the bottom"
        assert QPoint(0, 0) == bar.pos()


@pytest.mark.parametrize("size", SIZES)
async def test_the_request_id_fits_its_label_or_is_elided_with_the_whole_id(project: Project, tmp_path: Path,
                                                                            size: tuple[int, int]) -> None:
    async with running_window(project, tmp_path, size=size) as window:
        dock = window.docks["events"]
        await wait_for(lambda: dock.width() < 0.3 * size[0] + 60, message="the docks sized")
        await invoke_through_ui(window, "greeter", "{}")
        view = window.event_editor.result_view
        label = view.fields["Request id"]
        assert isinstance(label, IdLabel)
        assert view.result is not None
        whole = view.result.request_id
        await wait_for(lambda: label.text() == whole, message="the request id shown")
        assert dock.rect().contains(rect_in(label, dock)), "the request id's label leaves the dock"
        shown = label.shown_text()
        assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width(), f"{shown!r} is cut"
        if shown != whole:
            assert shown.endswith("…") and whole.startswith(shown[:-1]), shown
            assert label.toolTip() == whole
        else:
            assert not label.toolTip()
        assert label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
        label.copy_whole()
        assert QGuiApplication.clipboard().text() == whole


def test_an_id_label_elides_only_when_narrow(qapp: object) -> None:
    del qapp
    whole = "4e3e2e8f-7c3c-4f2a-9d9c-bf50dc122c62"
    label = IdLabel(whole)
    label.show()   # a hidden widget gets its resize events only when shown
    label.resize(label.sizeHint())
    assert label.shown_text() == whole and not label.toolTip() and label.text() == whole
    label.resize(label.fontMetrics().horizontalAdvance(whole) // 2, label.height())
    assert label.shown_text().endswith("…") and label.toolTip() == whole and label.text() == whole
    assert label.fontMetrics().horizontalAdvance(label.shown_text()) <= label.contentsRect().width()
    label.resize(label.sizeHint())
    assert label.shown_text() == whole and not label.toolTip()
    label.close()
