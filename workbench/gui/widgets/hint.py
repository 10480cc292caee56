"""Empty-state hints drawn inside painted views (the async timeline, the environment map, the waterfall).

A hint is word-wrapped to the width it is given and centred, so a narrow dock or a 1280x800 projector shows all
of it on more lines instead of cutting it on both sides. The views remember where the text went (`hint_rect`),
which the layout tests check against the view's own rectangle.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetrics, QPainter

HINT_FLAGS = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
#: Space kept free on either side of a hint, so it never touches the view's edge.
HINT_MARGIN = 8


def hint_height(metrics: QFontMetrics, width: int, text: str) -> int:
    """The height ``text`` takes wrapped to ``width`` (less the margins), margins included."""
    inner = max(1, width - 2 * HINT_MARGIN)
    return metrics.boundingRect(0, 0, inner, 100_000, int(HINT_FLAGS), text).height() + 2 * HINT_MARGIN


def paint_hint(painter: QPainter, area: QRectF, text: str) -> QRectF:
    """Draw ``text`` wrapped and centred in ``area`` (inside the margins); the rectangle the text covers."""
    inner = area.adjusted(HINT_MARGIN, HINT_MARGIN, -HINT_MARGIN, -HINT_MARGIN)
    painter.drawText(inner, HINT_FLAGS, text)
    return painter.boundingRect(inner, HINT_FLAGS, text)
