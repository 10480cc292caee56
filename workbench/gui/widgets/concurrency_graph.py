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
#: Busy and idle are on-demand environments: above the provisioned layer they are the spill-over.
LAYERS = (
    ("provisioned", "Provisioned", theme.PROVISIONED_COLOUR),
    ("busy", "On-demand busy", theme.STATE_COLOURS["busy"]),
    ("idle", "On-demand idle", theme.STATE_COLOURS["frozen"]),
    ("initialising", "Initialising", theme.STATE_COLOURS["initialising"]),
)
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_BOTTOM = 46, 14, 26
#: Height of one legend row; the plot starts below however many rows the legend needs.
LEGEND_ROW = 18
#: At most this many steps on the y-axis.
MAX_Y_STEPS = 5
MARKER_BUCKET_PX = 6
#: Maps a time (or a value) to a pixel coordinate.
Mapper = Callable[[float], float]


def nice_step(value: float, steps: int = MAX_Y_STEPS) -> int:
    """A whole, round tick step (1, 2, 5, 10, 20, 50, ...) so that ``steps`` of them reach ``value``."""
    raw = max(1.0, value / steps)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)   # pragma: no cover - the loop always returns


def y_ticks(value: float, steps: int = MAX_Y_STEPS) -> list[int]:
    """The y-axis ticks: whole round numbers from 0 to the first multiple of the step at or above ``value``
    (at least 4, so an empty graph still has a scale); at most about ``steps`` steps."""
    value = max(value, 4.0)
    step = nice_step(value, max(1, steps))
    top = step * math.ceil(value / step)
    return list(range(0, top + 1, step))


def nice_ceiling(value: float) -> int:
    """The axis maximum for ``value``: the last of its ticks."""
    return y_ticks(value)[-1]


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
        start, end = self.time_range()
        series = [(t, c) for t, c in self.history.series(self.function, start - 1.0) if t <= end]
        markers = [m for m in self.history.markers_since(self.function, start) if m.timestamp <= end]
        latest = series[-1][1] if series else Counts()
        painter.setFont(self._small)
        legend = self.fitted_legend(markers, latest, painter.fontMetrics().horizontalAdvance)
        top = 6 + (max(y for _x, y, _w, _e in legend) + LEGEND_ROW if legend else 0) + 8
        plot = QRectF(MARGIN_LEFT, top, max(10, self.width() - MARGIN_LEFT - MARGIN_RIGHT),
                      max(10, self.height() - top - MARGIN_BOTTOM))
        peak = max([max(c.concurrent, c.environments) for _, c in series] or [0])
        limits = [v for v in (latest.reserved, latest.provisioned_limit) if v is not None]
        # As many ticks as fit with room for their labels: a short graph gets fewer, never overlapping ones.
        steps = min(MAX_Y_STEPS, int(plot.height() // (painter.fontMetrics().height() + 4)))
        ticks = y_ticks(max([peak * 1.15, *[v * 1.1 for v in limits], 1]), steps)
        y_max = ticks[-1]

        def x_of(t: float) -> float:
            return plot.left() + (t - start) / self.window_s * plot.width()

        def y_of(v: float) -> float:
            return plot.bottom() - v / y_max * plot.height()

        self._paint_grid(painter, plot, ticks, y_of)
        painter.save()
        painter.setClipRect(plot)
        self._paint_areas(painter, series, x_of, y_of, plot)
        self._paint_concurrency(painter, series, x_of, y_of, plot)
        self._paint_limits(painter, latest, plot, y_of)
        self._paint_markers(painter, markers, x_of, plot)
        painter.restore()
        self._paint_time_axis(painter, plot)
        self._paint_legend(painter, legend)
        if self.paused:
            painter.setPen(QColor(theme.ERROR_COLOUR))
            painter.drawText(plot.adjusted(0, 4, -6, 0), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                             "paused")
        painter.end()

    def _paint_grid(self, painter: QPainter, plot: QRectF, ticks: list[int], y_of: Mapper) -> None:
        painter.setFont(self._small)
        for value in ticks:
            y = y_of(value)
            painter.setPen(QPen(QColor(theme.GRID_COLOUR), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(QColor(theme.AXIS_TEXT_COLOUR))
            label = str(value)
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
        for (value, label, colour), rect in self.limit_label_rects(latest, plot, y_of, painter.fontMetrics()
                                                                   .horizontalAdvance):
            y = y_of(value)
            painter.setPen(QPen(QColor(colour), 2, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{label} {value}")

    @staticmethod
    def limit_label_rects(latest: Counts, plot: QRectF, y_of: Mapper, advance: Callable[[str], int]
                          ) -> list[tuple[tuple[int, str, str], QRectF]]:
        """Where the dashed limits' labels go: above their line at the left; a second label that would touch
        the first moves beside it, so the two never overlap (reserved 5 and provisioned 5 share a line)."""
        placed: list[tuple[tuple[int, str, str], QRectF]] = []
        for value, label, colour in ((latest.reserved, "reserved", theme.RESERVED_COLOUR),
                                     (latest.provisioned_limit, "provisioned", theme.PROVISIONED_COLOUR)):
            if value is None:
                continue
            width = advance(f"{label} {value}") + 6
            rect = QRectF(plot.left() + 6, max(plot.top(), y_of(value) - 17), width, 16)
            for _, other in placed:
                if other.intersects(rect):
                    rect.moveLeft(other.right() + 12)
            placed.append(((value, label, colour), rect))
        return placed

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

    @staticmethod
    def legend_entries(markers: list[Marker], latest: Counts) -> list[tuple[str, str, str]]:
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
        return entries

    def fitted_legend(self, markers: list[Marker], latest: Counts, advance: Callable[[str], int]
                      ) -> list[tuple[float, float, float, tuple[str, str, str]]]:
        """The legend, in rows above the plot, leaving the plot at least half the height: on a small graph the
        entries at zero are left out (their colours say nothing then), then the rows that still do not fit."""
        entries = self.legend_entries(markers, latest)
        rows_allowed = max(1, int((self.height() / 2 - 14) // LEGEND_ROW))
        laid = self.legend_layout(entries, advance)
        if laid and laid[-1][1] // LEGEND_ROW >= rows_allowed:
            laid = self.legend_layout([e for i, e in enumerate(entries) if i == 0 or not e[2].endswith("(0)")],
                                      advance)
        return [item for item in laid if (item[1] - 6) // LEGEND_ROW < rows_allowed]

    def legend_layout(self, entries: list[tuple[str, str, str]], advance: Callable[[str], int]
                      ) -> list[tuple[float, float, float, tuple[str, str, str]]]:
        """Each legend entry's x, y and width: rows wrap at the widget's width, never past it or into the plot."""
        laid: list[tuple[float, float, float, tuple[str, str, str]]] = []
        x, y = float(MARGIN_LEFT), 6.0
        for entry in entries:
            width = 22 + advance(entry[2]) + 14
            if x + width > self.width() - MARGIN_RIGHT and x > MARGIN_LEFT:
                x, y = float(MARGIN_LEFT), y + LEGEND_ROW
            laid.append((x, y, width, entry))
            x += width
        return laid

    def _paint_legend(self, painter: QPainter, legend: list[tuple[float, float, float, tuple[str, str, str]]]
                      ) -> None:
        painter.setFont(self._small)
        for x, y, width, (shape, colour, text) in legend:
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
