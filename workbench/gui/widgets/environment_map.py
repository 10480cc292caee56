"""The environment map: one tile per execution environment, coloured by state, grouped by function.
Tiles appear on a cold start, change colour as the environment works, freezes and thaws, and fade out
(grey, with the reason) when it stops."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from workbench.engine import EnvState, InitType
from workbench.gui import theme
from workbench.gui.models.environment_tiles import EnvironmentTiles, Tile
from workbench.gui.widgets.hint import hint_height, paint_hint

TILE_W, TILE_H, GAP = 74, 44, 6
HEADER_H, LEGEND_H, PAD = 22, 26, 8
LEGEND = (
    (EnvState.INITIALISING, "initialising"), (EnvState.BUSY, "busy"), (EnvState.IDLE, "idle"),
    (EnvState.FROZEN, "frozen"), (EnvState.STOPPED, "stopped"),
)
EMPTY_HINT = "No execution environments yet: invoke a function"


class EnvironmentMap(QWidget):
    def __init__(self, tiles: EnvironmentTiles, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles = tiles
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._small = QFont(self.font())
        self._small.setPointSize(max(8, self.font().pointSize() - 2))
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self._shape: tuple[tuple[str, int], ...] = ()
        #: Where the empty-state hint was last drawn (None once there are tiles).
        self.hint_rect: QRectF | None = None

    def _columns(self) -> int:
        return max(1, (self.width() - 2 * PAD + GAP) // (TILE_W + GAP))

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        columns = max(1, (width - 2 * PAD + GAP) // (TILE_W + GAP))
        height = self._legend_height() + PAD
        groups = self.tiles.by_function()
        if not groups:   # room for the hint, wrapped to this width
            height += hint_height(self.fontMetrics(), width, EMPTY_HINT)
        for group in groups.values():
            rows = -(-len(group) // columns)
            height += HEADER_H + rows * (TILE_H + GAP) + PAD
        return height

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(400, max(160, self.heightForWidth(400)))

    def refresh(self) -> None:
        shape = tuple((function, len(group)) for function, group in self.tiles.by_function().items())
        if shape != self._shape:   # a new row of tiles: the scroll area needs the new height
            self._shape = shape
            self._fit_height()
            self.updateGeometry()
        self.update()

    def _fit_height(self) -> None:
        # A resizable scroll area gives its widget the viewport's height unless the widget needs more: the
        # minimum height is what makes the area scroll instead of cutting the last rows of tiles off.
        needed = self.heightForWidth(self.width())
        if needed != self.minimumHeight():
            self.setMinimumHeight(needed)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():   # fewer columns: more rows
            self._fit_height()

    def tile_rects(self) -> list[tuple[QRectF, Tile]]:
        """Where each tile is drawn (the painter's layout; tooltips and tests use it too)."""
        placed: list[tuple[QRectF, Tile]] = []
        y = self._legend_height() + PAD
        columns = self._columns()
        for group in self.tiles.by_function().values():
            y += HEADER_H
            for index, tile in enumerate(group):
                row, column = divmod(index, columns)
                placed.append((QRectF(PAD + column * (TILE_W + GAP), y + row * (TILE_H + GAP), TILE_W, TILE_H),
                               tile))
            y += -(-len(group) // columns) * (TILE_H + GAP) + PAD
        return placed

    def tile_at(self, point: QPointF) -> Tile | None:
        return next((tile for rect, tile in self.tile_rects() if rect.contains(point)), None)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tile = self.tile_at(QPointF(event.pos()))
            if tile is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), tile.describe(time.time()), self)
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.GRAPH_BACKGROUND))
        self._paint_legend(painter)
        y = self._legend_height() + PAD
        columns = self._columns()
        groups = self.tiles.by_function()
        if not groups:
            painter.setPen(QColor(theme.MUTED_COLOUR))
            self.hint_rect = paint_hint(painter, QRectF(0, y, self.width(), self.height() - y), EMPTY_HINT)
        else:
            self.hint_rect = None
        for function, group in groups.items():
            live = sum(1 for t in group if t.state is not EnvState.STOPPED)
            painter.setFont(self._bold)
            painter.setPen(QColor(theme.AXIS_TEXT_COLOUR))
            header = QRectF(PAD, y, self.width() - 2 * PAD, HEADER_H)
            painter.drawText(header, Qt.AlignmentFlag.AlignVCenter, group_headline(
                painter.fontMetrics(), function, live, int(header.width())))
            y += HEADER_H + -(-len(group) // columns) * (TILE_H + GAP) + PAD
        exposed = QRectF(event.rect())
        for rect, tile in self.tile_rects():
            if rect.intersects(exposed):   # thousands of tiles: paint only what the scroll area shows
                self._paint_tile(painter, rect, tile)
        painter.end()

    def _paint_tile(self, painter: QPainter, rect: QRectF, tile: Tile) -> None:
        fill = theme.state_colour(tile.state.value)
        if tile.state is EnvState.STOPPED:
            fill.setAlpha(110)
        painter.setBrush(fill)
        provisioned = tile.init_type is InitType.PROVISIONED
        border = QColor(theme.PROVISIONED_COLOUR if provisioned else theme.ERROR_COLOUR if tile.failed else "#343a40")
        painter.setPen(QPen(border, 3 if provisioned or tile.failed else 1))
        painter.drawRoundedRect(rect, 6, 6)
        dark_text = tile.state in (EnvState.IDLE, EnvState.INITIALISING, EnvState.STARTING, EnvState.STOPPED)
        painter.setPen(QColor("#212529" if dark_text else "#ffffff"))
        painter.setFont(self._small)
        top = rect.adjusted(4, 2, -4, -rect.height() / 2)
        bottom = rect.adjusted(4, rect.height() / 2 - 2, -4, -2)
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         f"{tile.short_id}{' PC' if provisioned else ''}")
        detail = tile.reason if tile.state is EnvState.STOPPED else f"{tile.invocations} inv"
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, detail)

    def _legend_items(self) -> list[tuple[str, float, float]]:
        """(label, x, y) of each legend entry, wrapped to the widget's width."""
        metrics = QFontMetrics(self._small)
        items, x, y = [], float(PAD), 4.0
        for label in [label for _, label in LEGEND] + ["provisioned"]:
            width = 20 + metrics.horizontalAdvance(label) + 12
            if x + width > self.width() - PAD and x > PAD:
                x, y = float(PAD), y + 20
            items.append((label, x, y))
            x += width
        return items

    def _legend_height(self) -> int:
        return int(max(y for _, _, y in self._legend_items())) + LEGEND_H

    def _paint_legend(self, painter: QPainter) -> None:
        painter.setFont(self._small)
        states = dict((label, state) for state, label in LEGEND)
        for label, x, y in self._legend_items():
            state = states.get(label)
            if state is None:   # provisioned: an outline, as on the tiles
                painter.setPen(QPen(QColor(theme.PROVISIONED_COLOUR), 3))
                painter.setBrush(Qt.BrushStyle.NoBrush)
            else:
                painter.setPen(QPen(QColor("#343a40"), 1))
                painter.setBrush(theme.state_colour(state.value))
            painter.drawRoundedRect(QRectF(x, y + 2, 16, 14), 3, 3)
            painter.setPen(QColor(theme.AXIS_TEXT_COLOUR))
            painter.drawText(QRectF(x + 20, y, 140, 18), Qt.AlignmentFlag.AlignVCenter, label)


def group_headline(metrics: QFontMetrics, function: str, live: int, width: int) -> str:
    """A function's headline over its tiles, never cut: the whole sentence where it fits, then only the count
    (the tiles say the rest), then the function's name elided in the middle (its ends tell functions apart)."""
    whole = f"{function}  ·  {live} environment{'s' if live != 1 else ''}"
    if metrics.horizontalAdvance(whole) <= width:
        return whole
    count = f"  ·  {live}"
    short = f"{function}{count}"
    if metrics.horizontalAdvance(short) <= width:
        return short
    room = max(0, width - metrics.horizontalAdvance(count))
    return metrics.elidedText(function, Qt.TextElideMode.ElideMiddle, room) + count
