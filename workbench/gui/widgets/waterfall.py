"""A trace waterfall: Initialization, Invocation and Overhead as bars on a time axis in milliseconds.
Two traces are drawn on the same scale, a cold one above a warm one, so the cost of the cold start is
plain to see."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from workbench.engine.events import Span, TraceRecord
from workbench.gui import theme

LABEL_W, PAD, BAR_H, GROUP_GAP, AXIS_H = 120, 10, 22, 14, 24
SEGMENTS = (("Initialization", theme.INIT_COLOUR), ("Invocation", theme.INVOKE_COLOUR),
            ("Overhead", theme.OVERHEAD_COLOUR))


def segments_of(trace: TraceRecord) -> list[tuple[str, Span | None]]:
    return [("Initialization", trace.initialization), ("Invocation", trace.invocation), ("Overhead", trace.overhead)]


def tick_step(total_ms: float) -> float:
    raw = max(total_ms, 1e-3) / 5
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
        self.setMinimumHeight(2 * (3 * (BAR_H + 4) + 24) + AXIS_H)
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self._small = QFont(self.font())
        self._small.setPointSize(max(8, self.font().pointSize() - 1))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(500, self.minimumHeight() + 2 * PAD)

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
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Invoke a function to see its trace")
            painter.end()
            return
        total_ms = max((t.end - t.start) * 1000 for _, t in traces)
        left, right = float(LABEL_W + PAD), float(self.width() - PAD - 70)
        scale = (right - left) / max(total_ms, 1e-3)
        y = float(PAD)
        for title, trace in traces:
            y = self._paint_trace(painter, title, trace, y, left, scale)
            y += GROUP_GAP
        self._paint_axis(painter, y, left, right, total_ms, scale)
        painter.end()

    def _paint_trace(self, painter: QPainter, title: str, trace: TraceRecord, y: float, left: float,
                     scale: float) -> float:
        total = (trace.end - trace.start) * 1000
        painter.setFont(self._bold)
        painter.setPen(QColor(theme.WARN_COLOUR if trace.cold_start else theme.INVOKE_COLOUR))
        status = "" if trace.status == "success" else f" · {trace.status}"
        painter.drawText(QRectF(PAD, y, self.width() - 2 * PAD, 20), Qt.AlignmentFlag.AlignVCenter,
                         f"{title} · {trace.function} · {trace.request_id[:8]} · {total:,.1f} ms total{status}")
        y += 22
        painter.setFont(self._small)
        colours = dict(SEGMENTS)
        for name, span in segments_of(trace):
            painter.setPen(QColor(theme.AXIS_TEXT_COLOUR))
            painter.drawText(QRectF(PAD, y, LABEL_W - 4, BAR_H), Qt.AlignmentFlag.AlignVCenter, name)
            if span is not None:
                x = left + (span.start - trace.start) * 1000 * scale
                width = max(2.0, span.duration_ms * scale)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(colours[name]))
                painter.drawRoundedRect(QRectF(x, y + 2, width, BAR_H - 4), 3, 3)
                painter.setPen(QColor("#212529"))
                painter.drawText(QRectF(x + width + 6, y, 90, BAR_H), Qt.AlignmentFlag.AlignVCenter,
                                 f"{span.duration_ms:,.1f} ms")
            else:
                painter.setPen(QColor(theme.MUTED_COLOUR))
                painter.drawText(QRectF(left, y, 200, BAR_H), Qt.AlignmentFlag.AlignVCenter, "—")
            y += BAR_H + 4
        return y

    def _paint_axis(self, painter: QPainter, y: float, left: float, right: float, total_ms: float,
                    scale: float) -> None:
        painter.setPen(QPen(QColor("#adb5bd"), 1))
        painter.drawLine(int(left), int(y), int(right), int(y))
        painter.setFont(self._small)
        step = tick_step(total_ms)
        value = 0.0
        while value <= total_ms * 1.0001:
            x = left + value * scale
            painter.setPen(QPen(QColor("#adb5bd"), 1))
            painter.drawLine(int(x), int(y), int(x), int(y + 4))
            painter.setPen(QColor(theme.AXIS_TEXT_COLOUR))
            painter.drawText(QRectF(x - 40, y + 4, 80, 16), Qt.AlignmentFlag.AlignCenter, f"{value:g} ms")
            value += step
