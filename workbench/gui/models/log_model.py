"""The log viewer's model: a flat, virtualised table over up to a million log lines.

Lines live in one Python list (the engine's immutable LogLine events, no copies) with their kind and level
packed in a bytearray. With a filter set, the model shows a list of absolute line numbers instead; new
lines are filtered as they arrive, so only a filter change scans everything. Rows are inserted once per
bridge batch and the oldest lines are dropped in chunks past the capacity, so a long-running classroom
session stays bounded.
"""

from __future__ import annotations

import bisect
import time
from array import array
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from workbench.engine import LogLine
from workbench.gui import theme
from workbench.gui.models.flat_table import FlatTableModel, Index
from workbench.gui.models.log_lines import Level, LineKind, LogFilter, classify, display_text, full_text

COLUMNS = ("Time", "Function", "Request", "Message")
TIME, FUNCTION, REQUEST, MESSAGE = range(4)
DEFAULT_CAPACITY = 1_000_000
DISPLAY, TOOLTIP = int(Qt.ItemDataRole.DisplayRole.value), int(Qt.ItemDataRole.ToolTipRole.value)
FOREGROUND, BACKGROUND = int(Qt.ItemDataRole.ForegroundRole.value), int(Qt.ItemDataRole.BackgroundRole.value)
FONT = int(Qt.ItemDataRole.FontRole.value)
_ROLES_SERVED = frozenset({DISPLAY, TOOLTIP, FOREGROUND, BACKGROUND, FONT})


def _pack(kind: LineKind, level: Level) -> int:
    return int(kind) << 4 | (int(level) // 10)


def _unpack(value: int) -> tuple[LineKind, Level]:
    return LineKind(value >> 4), Level((value & 0xF) * 10)


class LogModel(FlatTableModel):
    columns = COLUMNS

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        super().__init__()
        self.capacity = capacity
        self._lines: list[LogLine] = []
        self._meta = bytearray()
        self._base = 0                       # absolute number of self._lines[0]
        self._filter = LogFilter()
        self._rows: array[int] | None = None  # absolute line numbers shown while a filter is active
        self._bold = QFont()
        self._bold.setBold(True)
        self._styles: dict[int, dict[int, Any]] = {}
        self._colours = {
            "error": QColor(theme.ERROR_COLOUR), "warn": QColor(theme.WARN_COLOUR),
            "muted": QColor(theme.MUTED_COLOUR), "platform": QColor(theme.PLATFORM_COLOUR),
            "init": QColor(theme.PROVISIONED_COLOUR), "start_bg": QColor(theme.START_BACKGROUND),
        }

    # -- data in ----------------------------------------------------------------------------------------
    @property
    def total(self) -> int:
        return len(self._lines)

    @property
    def filter(self) -> LogFilter:
        return self._filter

    def append(self, lines: Sequence[LogLine]) -> None:
        if not lines:
            return
        first_new = self._base + len(self._lines)
        metas = [_pack(*classify(line.message, line.platform)) for line in lines]
        if self._rows is None:
            start = len(self._lines)
            self.beginInsertRows(QModelIndex(), start, start + len(lines) - 1)
            self._lines.extend(lines)
            self._meta.extend(metas)
            self.endInsertRows()
        else:
            self._lines.extend(lines)
            self._meta.extend(metas)
            matching = [first_new + offset for offset, (line, meta) in enumerate(zip(lines, metas, strict=True))
                        if self._filter.matches(line, _unpack(meta)[1])]
            if matching:
                start = len(self._rows)
                self.beginInsertRows(QModelIndex(), start, start + len(matching) - 1)
                self._rows.extend(matching)
                self.endInsertRows()
        self._evict()

    def _evict(self) -> None:
        excess = len(self._lines) - self.capacity
        if excess <= 0:
            return
        drop = excess + max(1, self.capacity // 20)   # in chunks: deleting from a list's front is O(n)
        drop = min(drop, len(self._lines))
        new_base = self._base + drop
        if self._rows is None:
            self.beginRemoveRows(QModelIndex(), 0, drop - 1)
            del self._lines[:drop]
            del self._meta[:drop]
            self._base = new_base
            self.endRemoveRows()
            return
        gone = bisect.bisect_left(self._rows, new_base)
        if gone:
            self.beginRemoveRows(QModelIndex(), 0, gone - 1)
            del self._rows[:gone]
            self.endRemoveRows()
        del self._lines[:drop]
        del self._meta[:drop]
        self._base = new_base

    def clear(self) -> None:
        self.beginResetModel()
        self._base += len(self._lines)
        self._lines.clear()
        self._meta.clear()
        self._rows = None if self._rows is None else array("q")
        self.endResetModel()

    def set_filter(self, new_filter: LogFilter) -> None:
        if new_filter == self._filter:
            return
        self.beginResetModel()
        self._filter = new_filter
        if not new_filter.active:
            self._rows = None
        else:
            matches = new_filter.matches
            base = self._base
            meta = self._meta
            self._rows = array("q", (base + i for i, line in enumerate(self._lines)
                                     if matches(line, Level((meta[i] & 0xF) * 10))))
        self.endResetModel()

    # -- lookups ----------------------------------------------------------------------------------------
    def _position(self, row: int) -> int:
        return row if self._rows is None else self._rows[row] - self._base

    def line_at(self, row: int) -> LogLine:
        return self._lines[self._position(row)]

    def kind_at(self, row: int) -> tuple[LineKind, Level]:
        return _unpack(self._meta[self._position(row)])

    def first_row_of(self, request_id: str) -> int:
        """The row of the first visible line of ``request_id``, or -1."""
        for row in range(self.rowCount()):
            if self.line_at(row).request_id == request_id:
                return row
        return -1

    # -- QAbstractTableModel ----------------------------------------------------------------------------
    def row_total(self) -> int:
        return len(self._lines) if self._rows is None else len(self._rows)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # Called for every visible cell and role at each repaint: plain-int dispatch, styles cached per kind.
        if role not in _ROLES_SERVED:
            return None
        row = index.row()
        if not 0 <= row < self.rowCount() or not index.isValid():
            return None
        position = row if self._rows is None else self._rows[row] - self._base
        line = self._lines[position]
        column = index.column()
        if role == DISPLAY:
            if column == MESSAGE:
                return display_text(line.message)
            if column == TIME:
                millis = int(line.timestamp * 1000) % 1000
                return time.strftime("%H:%M:%S", time.localtime(line.timestamp)) + f".{millis:03d}"
            if column == FUNCTION:
                return line.function
            return (line.request_id or "")[:8]
        if role == TOOLTIP:
            if column == REQUEST:
                return line.request_id
            return full_text(line.message)[:4000] if column == MESSAGE else None
        style = self._styles.get(self._meta[position])
        if style is None:
            style = self._styles[self._meta[position]] = self._style(*_unpack(self._meta[position]))
        return style[role]

    def _style(self, kind: LineKind, level: Level) -> dict[int, Any]:
        """Foreground, background and font of a line of this kind and level."""
        foreground: QColor | None = None
        if level >= Level.ERROR:
            foreground = self._colours["error"]
        elif level >= Level.WARN:
            foreground = self._colours["warn"]
        elif kind is LineKind.END:
            foreground = self._colours["muted"]
        elif kind in (LineKind.START, LineKind.REPORT):
            foreground = self._colours["platform"]
        elif kind is LineKind.INIT:
            foreground = self._colours["init"]
        return {
            FOREGROUND: foreground,
            BACKGROUND: self._colours["start_bg"] if kind is LineKind.START else None,
            FONT: self._bold if kind in (LineKind.START, LineKind.REPORT, LineKind.TIMEOUT) else None,
        }
