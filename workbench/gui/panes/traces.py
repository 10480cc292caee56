"""The trace viewer: recent invocations, and the waterfall of the selected one beside the newest trace of
the other kind (cold against warm) for the same function."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.engine import TraceRecord
from workbench.gui.bridge import EventBatch
from workbench.gui.models.batches import batch_summary
from workbench.gui.models.trace_model import TraceModel
from workbench.gui.widgets.elided_label import ElidedLabel
from workbench.gui.widgets.repaint import PacedRefresh
from workbench.gui.widgets.scrolling import scrolling
from workbench.gui.widgets.table_view import flat_table
from workbench.gui.widgets.waterfall import Waterfall

TRACE_REFRESH_MS = 200
#: Invocations the list always shows (the waterfall below scrolls before the list loses them).
LIST_ROWS = 4
#: The least of the waterfall left visible beside the list (it scrolls within that).
WATERFALL_MIN_H = 60


class TracesPane(QWidget):
    show_logs_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TraceModel()
        self.view = flat_table(self.model, (78, 120, 48, 66, 80, 96, 70, 170))   # Event: "batch of 10 · work"
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.doubleClicked.connect(self._double_clicked)
        header = self.view.horizontalHeader().sizeHint().height()
        # The columns are wider than a narrow dock: the sideways scroll bar is counted, or it would hide a row.
        self.view.setMinimumHeight(header + LIST_ROWS * self.view.verticalHeader().defaultSectionSize()
                                   + self.view.horizontalScrollBar().sizeHint().height() + 2 * self.view.frameWidth())
        self.waterfall = Waterfall()
        self.logs_button = QPushButton("Show its log lines")
        self.logs_button.setEnabled(False)
        self.logs_button.clicked.connect(self._show_logs)
        self.selected: TraceRecord | None = None
        self.backend: str | None = None
        self._following_selection = False   # the pane itself moves the selection (Follow), not the user
        self.follow_box = QCheckBox("Follow newest")
        self.follow_box.setChecked(True)
        self.follow_box.setToolTip("Select each new invocation as it arrives; choosing an older one turns this off")
        self.follow_box.toggled.connect(lambda on: self._select_newest() if on else None)
        #: What the waterfall compares; elided (never wrapped, never cut) so the bar keeps one line and the list
        #: its rows; the whole text is its tooltip.
        self.compared = ElidedLabel("Cold against warm")
        self._incoming: list[TraceRecord] = []
        self._paced = PacedRefresh(self.flush, TRACE_REFRESH_MS, self)
        bar = QHBoxLayout()
        explanation = ("Select an invocation: it is drawn against the newest of the other kind (cold or warm) of "
                       "the same function, version and backend")
        self.view.setToolTip(explanation)
        bar.addWidget(self.compared, 1)
        bar.addWidget(self.follow_box)
        bar.addWidget(self.logs_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.view)
        # The waterfall scrolls in a short dock (1600x1000: a third of the window's height for the whole row)
        # rather than squeeze the list to its header.
        self.waterfall_area = scrolling(self.waterfall)
        self.waterfall_area.setMinimumHeight(WATERFALL_MIN_H)
        splitter.addWidget(self.waterfall_area)
        # The list keeps its rows and the waterfall takes any height beyond them: one invocation's waterfall is
        # what the pane is for, the list is a chooser (the user can still drag the handle).
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([self.view.minimumHeight(), self.waterfall.minimumHeight()])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        self._bar = bar

    def keep_waterfall_whole(self, whole: bool) -> None:
        """Where the pane has a dock row of its own (the wide layout) one invocation's waterfall is never cut:
        its minimum height holds the row up. In a tab beside the logs (narrow screens) it scrolls instead."""
        self.waterfall_area.setMinimumHeight(self.waterfall.minimumHeight() if whole else WATERFALL_MIN_H)

    def comfortable_height(self) -> int:
        """The pane's height with the list's rows and a cold start's whole waterfall shown, nothing scrolling
        (the main window gives the traces this much where it has the room)."""
        layout = self.layout()
        assert layout is not None
        margins = layout.contentsMargins()
        return (margins.top() + margins.bottom() + self._bar.sizeHint().height() + layout.spacing()
                + self.view.minimumHeight() + self.splitter.handleWidth() + self.waterfall.minimumHeight())

    def add_events(self, batch: EventBatch) -> None:
        for delivered in batch.mapping_batches:
            if delivered.request_id:
                self.model.note_event(delivered.request_id, batch_summary(delivered))
        if batch.traces:
            self._incoming.extend(event.trace for event in batch.traces)
            self._paced.request()

    def flush(self) -> None:
        traces, self._incoming = self._incoming, []
        if not traces:
            return
        self.model.add(traces, self.backend)
        if self.follow_box.isChecked():
            self._select_newest()
        elif self.selected is None:
            self._compare(None)

    def set_backend(self, backend: str | None) -> None:
        """The backend the next traces run on (cold and warm are compared on the same backend)."""
        self.backend = backend

    def add_history(self, traces: list[TraceRecord]) -> None:
        self.model.add_older(traces)
        if self.follow_box.isChecked() and self.model.rowCount():
            self._select_newest()
        elif self.selected is None:
            self._compare(None)

    def _select_newest(self) -> None:
        if not self.model.rowCount():
            return
        self._following_selection = True
        try:
            self.view.setCurrentIndex(self.model.index(0, 0))
            self.view.scrollToTop()
        finally:
            self._following_selection = False

    def select_request(self, request_id: str) -> bool:
        self.flush()
        row = self.model.row_of(request_id)
        if row < 0:
            return False
        self.follow_box.setChecked(False)   # the user asked for this one: new arrivals must not take it away
        self.view.setCurrentIndex(self.model.index(row, 0))
        return True

    def _compare(self, chosen: TraceRecord | None) -> None:
        """Show ``chosen`` against the newest trace of the other kind with the same function, version and
        backend (or, with nothing chosen, the newest of each kind)."""
        if chosen is None:
            newest = self.model.trace_at(0) if self.model.rowCount() else None
            function = newest.function if newest else None
            self.waterfall.set_traces(self.model.latest(function, True), self.model.latest(function, False))
            self.compared.setText("Cold against warm")
            self.compared.setToolTip("")
            return
        other = self.model.counterpart(chosen)
        cold, warm = (chosen, other) if chosen.cold_start else (other, chosen)
        self.waterfall.set_traces(cold, warm)
        backend = self.model.backend_of(chosen)
        subject = f"{chosen.function}:{chosen.version}" + (f" on {backend}" if backend else "")
        text = (f"Cold against warm · {subject}" if other is not None
                else f"{subject}: no {'warm' if chosen.cold_start else 'cold'} call to compare yet")
        self.compared.setText(text)
        self.compared.setToolTip(text)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        # The current row, not the selection's delta: rows inserted above move it, and the waterfall must
        # always draw the row that is highlighted.
        rows = self.view.selectionModel().selectedRows()
        self.selected = self.model.trace_at(rows[0].row()) if rows else None
        self.logs_button.setEnabled(self.selected is not None)
        if not self._following_selection and rows and rows[0].row() != 0:
            self.follow_box.setChecked(False)   # the user chose an older invocation: keep it
        self._compare(self.selected)

    def _double_clicked(self, index: QModelIndex) -> None:
        self.show_logs_requested.emit(self.model.trace_at(index.row()).request_id)

    def _show_logs(self) -> None:
        if self.selected is not None:
            self.show_logs_requested.emit(self.selected.request_id)
