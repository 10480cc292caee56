"""The trace viewer: recent invocations, and the waterfall of the selected one beside the newest trace of
the other kind (cold against warm) for the same function."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.engine import TraceRecord
from workbench.gui.bridge import EventBatch
from workbench.gui.models.trace_model import TraceModel
from workbench.gui.widgets.repaint import PacedRefresh
from workbench.gui.widgets.table_view import flat_table
from workbench.gui.widgets.waterfall import Waterfall

TRACE_REFRESH_MS = 200


class TracesPane(QWidget):
    show_logs_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TraceModel()
        self.view = flat_table(self.model, (78, 120, 48, 66, 80, 96, 70))
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.setMinimumHeight(60)
        self.waterfall = Waterfall()
        self.logs_button = QPushButton("Show its log lines")
        self.logs_button.setEnabled(False)
        self.logs_button.clicked.connect(self._show_logs)
        self.selected: TraceRecord | None = None
        self._incoming: list[TraceRecord] = []
        self._paced = PacedRefresh(self.flush, TRACE_REFRESH_MS, self)
        bar = QHBoxLayout()
        hint = QLabel("Select an invocation: it is drawn against the newest of the other kind (cold or warm)")
        hint.setWordWrap(True)
        hint.setMinimumWidth(120)
        bar.addWidget(hint, 1)
        bar.addWidget(self.logs_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.waterfall)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([120, 140])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    def add_events(self, batch: EventBatch) -> None:
        if batch.traces:
            self._incoming.extend(event.trace for event in batch.traces)
            self._paced.request()

    def flush(self) -> None:
        traces, self._incoming = self._incoming, []
        if not traces:
            return
        self.model.add(traces)
        if self.selected is None:
            self._compare(None)

    def add_history(self, traces: list[TraceRecord]) -> None:
        self.model.add_older(traces)
        if self.selected is None:
            self._compare(None)

    def select_request(self, request_id: str) -> bool:
        self.flush()
        row = self.model.row_of(request_id)
        if row < 0:
            return False
        self.view.setCurrentIndex(self.model.index(row, 0))
        return True

    def _compare(self, chosen: TraceRecord | None) -> None:
        """Show ``chosen`` against the newest trace of the other kind (or the newest of each kind)."""
        if chosen is None:
            newest = self.model.trace_at(0) if self.model.rowCount() else None
            function = newest.function if newest else None
            self.waterfall.set_traces(self.model.latest(function, True), self.model.latest(function, False))
            return
        other = self.model.latest(chosen.function, not chosen.cold_start)
        cold, warm = (chosen, other) if chosen.cold_start else (other, chosen)
        self.waterfall.set_traces(cold, warm)

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        self.selected = self.model.trace_at(indexes[0].row()) if indexes else None
        self.logs_button.setEnabled(self.selected is not None)
        self._compare(self.selected)

    def _double_clicked(self, index: QModelIndex) -> None:
        self.show_logs_requested.emit(self.model.trace_at(index.row()).request_id)

    def _show_logs(self) -> None:
        if self.selected is not None:
            self.show_logs_requested.emit(self.selected.request_id)
