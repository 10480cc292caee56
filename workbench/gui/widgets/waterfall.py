"""A trace waterfall: Initialization, Invocation and Overhead as bars on a time axis in milliseconds.
A cold trace and a warm one are drawn side by side on the same scale, so the cost of the cold start is
plain to see."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from workbench.engine import Span, TraceRecord
from workbench.gui import theme
from workbench.gui.widgets.hint import paint_hint

LABEL_W, PAD, BAR_H, TITLE_H, AXIS_H = 96, 8, 22, 22, 22
SEGMENT_COLOURS = {"Initialization": theme.INIT_COLOUR, "Invocation": theme.INVOKE_COLOUR,
                   "Overhead": theme.OVERHEAD_COLOUR}
VALUE_W = 74   # room right of the longest bar for its "123.4 ms" label


def segments_of(trace: TraceRecord) -> list[tuple[str, Span | None]]:
    return [("Initialization", trace.initialization), ("Invocation", trace.invocation), ("Overhead", trace.overhead)]


def tick_step(total_ms: float, pixels: float = 400.0, min_gap_px: float = 64.0) -> float:
    """A round step between axis ticks, at least ``min_gap_px`` apart over ``pixels``."""
    raw = max(total_ms, 1e-3) / max(1.0, pixels / min_gap_px)
    magnitude: float = 10.0 ** math.floor(math.log10(raw))
    for step in (1.0, 2.0, 5.0, 10.0):
        if step * magnitude >= raw:
            return step * magnitude
    return 10.0 * magnitude


class Waterfall(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cold: TraceRecord | None = None
        self.warm: TraceRecord | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(TITLE_H + 3 * (BAR_H + 3) + AXIS_H + 2 * PAD)
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self._small = QFont(self.font())
        self._small.setPointSize(max(8, self.font().pointSize() - 1))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(600, self.minimumHeight())

    def set_traces(self, cold: TraceRecord | None, warm: TraceRecord | None) -> None:
        self.cold, self.warm = cold, warm
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.GRAPH_BACKGROUND))
        traces = [(title, t) for title, t in (("Cold start", self.cold), ("Warm", self.warm)) if t is not None]
        if not traces:
            painter.setPen(QColor(theme.MUTED_COLOUR))
            paint_hint(painter, QRectF(self.rect()), "Invoke a function to see its trace")
            painter.end()
            return
        total_ms = max((t.end - t.start) * 1000 for _, t in traces)
        column_w = (self.width() - 3 * PAD) / 2
        scale = (column_w - LABEL_W - VALUE_W) / max(total_ms, 1e-3)    # one scale for both: comparable
        for column, (title, trace) in enumerate(traces):
            left = PAD + column * (column_w + PAD)
            self._paint_trace(painter, title, trace, left, column_w, scale, total_ms)
        painter.end()

    def _paint_trace(self, painter: QPainter, title: str, trace: TraceRecord, left: float, width: float,
                     scale: float, total_ms: float) -> None:
        y = float(PAD)
        total = (trace.end - trace.start) * 1000
        painter.setFont(self._bold)
        painter.setPen(QColor(theme.WARN_COLOUR if trace.cold_start else theme.INVOKE_COLOUR))
        status = "" if trace.status == "success" else f" · {trace.status}"
        painter.drawText(QRectF(left, y, width, TITLE_H), Qt.AlignmentFlag.AlignVCenter,
                         f"{title} · {trace.request_id[:8]} · {total:,.1f} ms{status}")
        y += TITLE_H
        bars_left = left + LABEL_W
        painter.setFont(self._small)
        for name, span in segments_of(trace):
            painter.setPen(QColor(theme.AXIS_TEXT_COLOUR))
            painter.drawText(QRectF(left, y, LABEL_W - 4, BAR_H), Qt.AlignmentFlag.AlignVCenter, name)
            if span is not None:
                x = bars_left + (span.start - trace.start) * 1000 * scale
                bar_w = max(2.0, span.duration_ms * scale)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(SEGMENT_COLOURS[name]))
                painter.drawRoundedRect(QRectF(x, y + 3, bar_w, BAR_H - 6), 3, 3)
                painter.setPen(QColor("#212529"))
                painter.drawText(QRectF(x + bar_w + 4, y, VALUE_W, BAR_H), Qt.AlignmentFlag.AlignVCenter,
                                 f"{span.duration_ms:,.1f} ms")
            else:
                painter.setPen(QColor(theme.MUTED_COLOUR))
                painter.drawText(QRectF(bars_left, y, 120, BAR_H), Qt.AlignmentFlag.AlignVCenter, "none")
            y += BAR_H + 3
        self._paint_axis(painter, y, bars_left, scale, total_ms)

    def _paint_axis(self, painter: QPainter, y: float, left: float, scale: float, total_ms: float) -> None:
        right = left + total_ms * scale
        painter.setPen(QPen(QColor("#adb5bd"), 1))
        painter.drawLine(int(left), int(y), int(right), int(y))
        step = tick_step(total_ms, right - left)
        value = 0.0
        while value <= total_ms * 1.0001:
            x = left + value * scale
            painter.setPen(QPen(QColor("#adb5bd"), 1))
            painter.drawLine(int(x), int(y), int(x), int(y + 4))
            painter.setPen(QColor(theme.AXIS_TEXT_COLOUR))
            painter.drawText(QRectF(x - 40, y + 4, 80, 16), Qt.AlignmentFlag.AlignCenter, f"{value:g} ms")
            value += step
