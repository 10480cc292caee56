"""The live concurrency graph: environments by state as stacked areas, concurrent executions as a line,
throttles and cold starts as markers, reserved and provisioned limits as dashed lines, over a sliding
window. Painted with QPainter from a GraphHistory; nothing here keeps data of its own."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from workbench.gui import theme
from workbench.gui.models.graph_history import Counts, GraphHistory, Marker, MarkerKind

#: Stacked bottom to top; (field of Counts, legend label, colour).
LAYERS = (
    ("provisioned", "Provisioned", theme.PROVISIONED_COLOUR),
    ("busy", "Busy", theme.STATE_COLOURS["busy"]),
    ("idle", "Idle / frozen", theme.STATE_COLOURS["frozen"]),
    ("initialising", "Initialising", theme.STATE_COLOURS["initialising"]),
)
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 46, 14, 44, 26
MARKER_BUCKET_PX = 6
#: Maps a time (or a value) to a pixel coordinate.
Mapper = Callable[[float], float]


def nice_ceiling(value: float) -> int:
    """A round axis maximum at or above ``value`` (4, 5, 10, 20, 25, 50, 100, ...)."""
    if value <= 4:
        return 4
    magnitude: float = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * magnitude >= value:
            return math.ceil(step * magnitude)
    return math.ceil(10 * magnitude)


class ConcurrencyGraph(QWidget):
    def __init__(self, history: GraphHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.window_s = 60.0
        self.function: str | None = None
        self.paused_at: float | None = None
        self.setMinimumSize(300, 110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._small = QFont(self.font())
        self._small.setPointSize(max(8, self.font().pointSize() - 1))

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def set_paused(self, paused: bool) -> None:
        self.paused_at = (self.history.latest_time or 0.0) if paused else None
        self.update()

    def time_range(self) -> tuple[float, float]:
        end = self.paused_at if self.paused_at is not None else (self.history.latest_time or 0.0)
        return end - self.window_s, end

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.GRAPH_BACKGROUND))
        plot = QRectF(MARGIN_LEFT, MARGIN_TOP, max(10, self.width() - MARGIN_LEFT - MARGIN_RIGHT),
                      max(10, self.height() - MARGIN_TOP - MARGIN_BOTTOM))
        start, end = self.time_range()
        series = [(t, c) for t, c in self.history.series(self.function, start - 1.0) if t <= end]
        markers = [m for m in self.history.markers_since(self.function, start) if m.timestamp <= end]
        latest = series[-1][1] if series else Counts()
        peak = max([max(c.concurrent, c.environments) for _, c in series] or [0])
        limits = [v for v in (latest.reserved, latest.provisioned_limit) if v is not None]
        y_max = nice_ceiling(max([peak * 1.15, *[v * 1.1 for v in limits], 1]))

        def x_of(t: float) -> float:
            return plot.left() + (t - start) / self.window_s * plot.width()

        def y_of(v: float) -> float:
            return plot.bottom() - v / y_max * plot.height()

        self._paint_grid(painter, plot, y_max, y_of)
        painter.save()
        painter.setClipRect(plot)
        self._paint_areas(painter, series, x_of, y_of, plot)
        self._paint_concurrency(painter, series, x_of, y_of, plot)
        self._paint_limits(painter, latest, plot, y_of)
        self._paint_markers(painter, markers, x_of, plot)
        painter.restore()
        self._paint_time_axis(painter, plot)
        self._paint_legend(painter, markers, latest)
        if self.paused:
            painter.setPen(QColor(theme.ERROR_COLOUR))
            painter.drawText(plot.adjusted(0, 4, -6, 0), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                             "paused")
        painter.end()

    def _paint_grid(self, painter: QPainter, plot: QRectF, y_max: int, y_of: Mapper) -> None:
        painter.setFont(self._small)
        steps = 4
        for i in range(steps + 1):
            value = y_max * i / steps
            y = y_of(value)
            painter.setPen(QPen(QColor(theme.GRID_COLOUR), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(QColor(theme.AXIS_TEXT_COLOUR))
            label = f"{value:g}"
            painter.drawText(QRectF(0, y - 9, MARGIN_LEFT - 6, 18),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        painter.setPen(QPen(QColor("#adb5bd"), 1))
        painter.drawRect(plot)

    def _paint_areas(self, painter: QPainter, series: list[tuple[float, Counts]], x_of: Mapper, y_of: Mapper,
                     plot: QRectF) -> None:
        if not series:
            return
        base = [0.0] * len(series)
        for field, _label, colour in LAYERS:
            top = [b + getattr(c, field) for b, (_, c) in zip(base, series, strict=True)]
            if any(top[i] != base[i] for i in range(len(series))):
                polygon = QPolygonF()
                for i, (t, _) in enumerate(series):          # upper edge, as steps
                    next_t = series[i + 1][0] if i + 1 < len(series) else max(t, self.time_range()[1])
                    polygon.append(QPointF(x_of(t), y_of(top[i])))
                    polygon.append(QPointF(x_of(next_t), y_of(top[i])))
                for i in range(len(series) - 1, -1, -1):     # lower edge, back
                    t = series[i][0]
                    next_t = series[i + 1][0] if i + 1 < len(series) else max(t, self.time_range()[1])
                    polygon.append(QPointF(x_of(next_t), y_of(base[i])))
                    polygon.append(QPointF(x_of(t), y_of(base[i])))
                fill = QColor(colour)
                fill.setAlpha(170)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QBrush(fill))
                painter.drawPolygon(polygon)
            base = top

    def _paint_concurrency(self, painter: QPainter, series: list[tuple[float, Counts]], x_of: Mapper,
                           y_of: Mapper, plot: QRectF) -> None:
        if not series:
            return
        line = QPolygonF()
        for i, (t, counts) in enumerate(series):
            next_t = series[i + 1][0] if i + 1 < len(series) else max(t, self.time_range()[1])
            line.append(QPointF(x_of(t), y_of(counts.concurrent)))
            line.append(QPointF(x_of(next_t), y_of(counts.concurrent)))
        painter.setPen(QPen(QColor(theme.CONCURRENCY_COLOUR), 2.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(line)

    def _paint_limits(self, painter: QPainter, latest: Counts, plot: QRectF, y_of: Mapper) -> None:
        painter.setFont(self._small)
        for value, label, colour in ((latest.reserved, "reserved", theme.RESERVED_COLOUR),
                                     (latest.provisioned_limit, "provisioned", theme.PROVISIONED_COLOUR)):
            if value is None:
                continue
            y = y_of(value)
            painter.setPen(QPen(QColor(colour), 2, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.drawText(QRectF(plot.left() + 6, y - 18, 200, 16), Qt.AlignmentFlag.AlignLeft,
                             f"{label} {value}")

    def _paint_markers(self, painter: QPainter, markers: list[Marker], x_of: Mapper, plot: QRectF) -> None:
        """One marker per few pixels; a bigger one where many fell together (the legend has the totals)."""
        buckets: dict[tuple[MarkerKind, int], int] = {}
        for marker in markers:
            key = (marker.kind, int(x_of(marker.timestamp) // MARKER_BUCKET_PX))
            buckets[key] = buckets.get(key, 0) + 1
        painter.setPen(QPen(QColor("#ffffff"), 1))
        for (kind, bucket), count in buckets.items():
            x = bucket * MARKER_BUCKET_PX + MARKER_BUCKET_PX / 2
            size = 5.0 + min(4.0, count - 1)
            if kind is MarkerKind.THROTTLE:
                y = plot.top() + 3
                painter.setBrush(QColor(theme.THROTTLE_COLOUR))
                painter.drawPolygon(QPolygonF([QPointF(x - size, y), QPointF(x + size, y),
                                               QPointF(x, y + 1.8 * size)]))
            else:
                painter.setBrush(QColor(theme.COLD_START_COLOUR))
                painter.drawEllipse(QPointF(x, plot.bottom() - size - 2), size, size)

    def _paint_time_axis(self, painter: QPainter, plot: QRectF) -> None:
        painter.setFont(self._small)
        painter.setPen(QColor(theme.AXIS_TEXT_COLOUR))
        ticks = 6
        for i in range(ticks + 1):
            seconds_ago = self.window_s * (1 - i / ticks)
            x = plot.left() + plot.width() * i / ticks
            text = "now" if seconds_ago == 0 else f"-{seconds_ago:g}s"
            painter.drawText(QRectF(x - 30, plot.bottom() + 4, 60, 18), Qt.AlignmentFlag.AlignCenter, text)

    def _paint_legend(self, painter: QPainter, markers: list[Marker], latest: Counts) -> None:
        painter.setFont(self._small)
        throttles = sum(1 for m in markers if m.kind is MarkerKind.THROTTLE)
        colds = len(markers) - throttles
        entries: list[tuple[str, str, str]] = [("line", theme.CONCURRENCY_COLOUR, f"Concurrent ({latest.concurrent})")]
        entries += [("box", colour, f"{label} ({getattr(latest, field)})") for field, label, colour in LAYERS]
        entries += [("triangle", theme.THROTTLE_COLOUR, f"Throttles ({throttles})"),
                    ("dot", theme.COLD_START_COLOUR, f"Cold starts ({colds})")]
        if latest.reserved is not None:
            entries.append(("dash", theme.RESERVED_COLOUR, f"Reserved ({latest.reserved})"))
        if latest.provisioned_limit is not None:
            entries.append(("dash", theme.PROVISIONED_COLOUR, f"Provisioned limit ({latest.provisioned_limit})"))
        x, y = float(MARGIN_LEFT), 6.0
        metrics = painter.fontMetrics()
        for shape, colour, text in entries:
            width = 22 + metrics.horizontalAdvance(text) + 14
            if x + width > self.width() - MARGIN_RIGHT:
                x, y = float(MARGIN_LEFT), y + 18
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colour))
            if shape in ("line", "dash"):
                painter.setPen(QPen(QColor(colour), 2.5, Qt.PenStyle.SolidLine if shape == "line"
                                    else Qt.PenStyle.DashLine))
                painter.drawLine(QPointF(x, y + 8), QPointF(x + 16, y + 8))
            elif shape == "box":
                painter.drawRect(QRectF(x, y + 2, 16, 12))
            elif shape == "triangle":
                painter.drawPolygon(QPolygonF([QPointF(x + 2, y + 3), QPointF(x + 14, y + 3), QPointF(x + 8, y + 13)]))
            else:
                painter.drawEllipse(QPointF(x + 8, y + 8), 5, 5)
            painter.setPen(QColor(theme.AXIS_TEXT_COLOUR))
            painter.drawText(QRectF(x + 20, y, width, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             text)
            x += width
