"""Recent invocations' traces, newest first: the trace viewer's list."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from workbench.engine import TraceRecord
from workbench.gui import theme
from workbench.gui.models.flat_table import FlatTableModel, Index

COLUMNS = ("Time", "Function", "Start", "Init ms", "Invoke ms", "Overhead ms", "Status", "Event", "Request")
DEFAULT_CAPACITY = 2000


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}"


class TraceModel(FlatTableModel):
    columns = COLUMNS

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        super().__init__()
        self.capacity = capacity
        self._traces: list[TraceRecord] = []   # newest first
        #: The backend each live trace ran on (traces carry none; the store's history is of unknown backend).
        self._backends: dict[str, str] = {}
        #: What an invocation carried, when an event source mapping made it ("batch of 5 · work").
        self._events: dict[str, str] = {}

    def note_event(self, request_id: str, text: str) -> None:
        """Say what ``request_id``'s invocation carried (its trace may be listed already, or come later)."""
        self._events[request_id] = text
        if len(self._events) > self.capacity * 2:   # forget the oldest notes
            for old in list(self._events)[: len(self._events) - self.capacity]:
                del self._events[old]
        row = self.row_of(request_id)
        if row >= 0:
            column = COLUMNS.index("Event")
            self.dataChanged.emit(self.index(row, column), self.index(row, column))

    def event_of(self, request_id: str) -> str:
        return self._events.get(request_id, "")

    def backend_of(self, trace: TraceRecord) -> str | None:
        return self._backends.get(trace.request_id)

    def add(self, traces: Sequence[TraceRecord], backend: str | None = None) -> None:
        if not traces:
            return
        if backend is not None:
            self._backends.update((trace.request_id, backend) for trace in traces)
        newest_first = list(reversed(traces))
        self.beginInsertRows(QModelIndex(), 0, len(newest_first) - 1)
        self._traces[:0] = newest_first
        self.endInsertRows()
        if len(self._traces) > self.capacity:
            self.beginRemoveRows(QModelIndex(), self.capacity, len(self._traces) - 1)
            for trace in self._traces[self.capacity:]:
                self._backends.pop(trace.request_id, None)
            del self._traces[self.capacity:]
            self.endRemoveRows()

    def add_older(self, traces: Sequence[TraceRecord]) -> None:
        """Traces from before this session (the project's store), oldest first; they go below the live ones."""
        known = {trace.request_id for trace in self._traces}
        older = [trace for trace in reversed(traces) if trace.request_id not in known]
        room = self.capacity - len(self._traces)
        older = older[:max(0, room)]
        if older:
            start = len(self._traces)
            self.beginInsertRows(QModelIndex(), start, start + len(older) - 1)
            self._traces.extend(older)
            self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._traces.clear()
        self._backends.clear()
        self._events.clear()
        self.endResetModel()

    def trace_at(self, row: int) -> TraceRecord:
        return self._traces[row]

    def row_of(self, request_id: str) -> int:
        for row, trace in enumerate(self._traces):
            if trace.request_id == request_id:
                return row
        return -1

    def latest(self, function: str | None, cold: bool) -> TraceRecord | None:
        """The newest trace of ``function`` (any when None) that was (or was not) a cold start."""
        for trace in self._traces:
            if trace.cold_start == cold and (function is None or trace.function == function):
                return trace
        return None

    def counterpart(self, chosen: TraceRecord) -> TraceRecord | None:
        """The newest trace of the other kind (cold for a warm one, warm for a cold one) of the same function,
        version and backend: a fair comparison (a Docker cold start against a process warm call is not)."""
        backend = self.backend_of(chosen)
        for trace in self._traces:
            if (trace.cold_start != chosen.cold_start and trace.function == chosen.function
                    and trace.version == chosen.version and self.backend_of(trace) == backend):
                return trace
        return None

    def row_total(self) -> int:
        return len(self._traces)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._traces):
            return None
        trace = self._traces[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                time.strftime("%H:%M:%S", time.localtime(trace.start)),
                trace.function if trace.version == "$LATEST" else f"{trace.function}:{trace.version}",
                "cold" if trace.cold_start else "warm",
                _ms(trace.initialization.duration_ms if trace.initialization else None),
                _ms(trace.invocation.duration_ms),
                _ms(trace.overhead.duration_ms if trace.overhead else None),
                trace.status if not trace.error_type else f"{trace.status} ({trace.error_type})",
                self._events.get(trace.request_id, ""),
                trace.request_id,
            )
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 2:
                return QColor(theme.WARN_COLOUR if trace.cold_start else theme.INVOKE_COLOUR)
            if column == 6 and trace.status != "success":
                return QColor(theme.ERROR_COLOUR)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (3, 4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
