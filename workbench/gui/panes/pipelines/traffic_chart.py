"""The alias traffic of a deployment drawn over time: the share on the new version, one line per function."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from workbench.pipeline.traffic import Shift

COLOURS = ("#2f7ed8", "#e4572e", "#17a589", "#a05195")
MARGIN = (44, 10, 12, 24)   # left, top, right, bottom


class TrafficChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shifts: list[Shift] = []
        self.setMinimumHeight(110)
        self.setToolTip("The share of the alias on the new version, step by step (the deployment's clock)")

    def set_shifts(self, shifts: list[Shift]) -> None:
        if [(s.function, s.points, s.outcome) for s in shifts] != [(s.function, s.points, s.outcome)
                                                                   for s in self.shifts]:
            self.shifts = shifts
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().text().color()
        left, top, right, bottom = MARGIN
        plot = QRectF(left, top, max(10, self.width() - left - right), max(10, self.height() - top - bottom))
        if not self.shifts:
            painter.setPen(text)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No alias shift in this run")
            return
        span = max(max(shift.duration_s for shift in self.shifts), 1.0)
        grid = QColor(text)
        grid.setAlpha(60)
        painter.setPen(QPen(grid, 1, Qt.PenStyle.DashLine))
        for share in (0.0, 0.5, 1.0):
            y = plot.bottom() - share * plot.height()
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(text)
        for share in (0.0, 0.5, 1.0):
            painter.drawText(QRectF(0, plot.bottom() - share * plot.height() - 8, left - 4, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{share:.0%}")
        painter.drawText(QRectF(plot.left(), plot.bottom() + 4, plot.width(), 18), Qt.AlignmentFlag.AlignRight,
                         f"{span:g} s")
        for index, shift in enumerate(self.shifts):
            colour = QColor(COLOURS[index % len(COLOURS)])
            painter.setPen(QPen(colour, 2))
            painter.drawPolyline(QPolygonF([QPointF(plot.left() + t / span * plot.width(),
                                                    plot.bottom() - share * plot.height())
                                            for t, share in shift.points]))
            painter.drawText(QRectF(plot.left() + 6, plot.top() + 16 * index, plot.width() - 12, 16),
                             Qt.AlignmentFlag.AlignLeft,
                             f"{shift.function} {shift.alias}: v{shift.old_version} → v{shift.new_version} "
                             f"({shift.kind}, {shift.outcome})")
