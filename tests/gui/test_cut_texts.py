"""Issue 16: texts the lead saw cut in real windows at 1280x800. The message bar's symbol sits beside its text
(it was drawn over the first character), and the result grid's request id wraps or elides inside the dock.
Checked by geometry and font metrics."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QLabel, QStyle, QWidget

from tests.gui.conftest import running_window, wait_for
from workbench.gui.main_window import FRAME_ALLOWANCE
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
