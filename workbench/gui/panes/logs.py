"""The log viewer: a live tail across functions, filtered by function, request id, text and level, with
START / END / REPORT styled, and the full text of the selected line below."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.engine import LogLine, StoredLog
from workbench.gui import theme
from workbench.gui.bridge import EventBatch
from workbench.gui.models.batches import batch_line
from workbench.gui.models.log_lines import Level, LogFilter, full_text
from workbench.gui.models.log_model import FUNCTION, REQUEST, TIME, LogModel
from workbench.gui.widgets.function_chooser import FunctionChooser
from workbench.gui.widgets.repaint import PacedRefresh
from workbench.gui.widgets.table_view import flat_table

LEVELS = (("Any level", Level.DEBUG), ("INFO and above", Level.INFO), ("WARN and above", Level.WARN),
          ("ERROR only", Level.ERROR))
FILTER_DELAY_MS = 250
#: A live tail redrawn ten times a second reads as continuous and leaves the loop to the engine.
LOG_REFRESH_MS = 100


class LogsPane(QWidget):
    #: A jump to an invocation whose lines are not in the live list: the request id, to read from the store.
    request_not_loaded = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LogModel()
        self.view = flat_table(self.model)
        self.view.setFont(theme.monospace_font(theme.BASE_POINT_SIZE - 1))
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 4)
        self.view.setMinimumHeight(60)
        for column, width in ((TIME, 110), (FUNCTION, 130), (REQUEST, 90)):
            self.view.horizontalHeader().resizeSection(column, width)
        self._scroll_pending = False
        self._incoming: list[LogLine] = []
        self._paced = PacedRefresh(self.flush, LOG_REFRESH_MS, self)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.function_box = FunctionChooser()
        self.function_box.currentTextChanged.connect(self._schedule_filter)
        self.request_field = QLineEdit()
        self.request_field.setPlaceholderText("request id")
        self.request_field.setClearButtonEnabled(True)
        self.request_field.textChanged.connect(self._schedule_filter)
        self.text_field = QLineEdit()
        self.text_field.setPlaceholderText("text")
        self.text_field.setClearButtonEnabled(True)
        self.text_field.textChanged.connect(self._schedule_filter)
        self.level_box = QComboBox()
        for label, level in LEVELS:
            self.level_box.addItem(label, level)
        self.level_box.currentIndexChanged.connect(self._schedule_filter)
        self.follow_box = QCheckBox("&Follow")
        self.follow_box.setChecked(True)
        self.follow_box.setToolTip("Keep the newest line in view as lines arrive")
        self.follow_box.toggled.connect(lambda on: self._follow() if on else None)
        # The range grows after the view has laid the new rows out (and again when a horizontal scroll bar
        # appears and covers the last row): following the range, not the append, always shows the newest line.
        self.view.verticalScrollBar().rangeChanged.connect(self._range_changed)
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.model.clear)
        self.count_label = QLabel()
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setFont(theme.monospace_font(theme.BASE_POINT_SIZE - 1))
        self.detail.setPlaceholderText("Select a line to see all of it")
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        filters = QHBoxLayout()
        filters.addWidget(self.function_box, 2)
        filters.addWidget(self.request_field, 2)
        filters.addWidget(self.text_field, 2)
        filters.addWidget(self.level_box, 1)
        filters.addWidget(self.follow_box)
        filters.addWidget(self.clear_button)
        filters.addWidget(self.count_label)
        splitter = QSplitter(Qt.Orientation.Horizontal)   # the full line beside the list: rows stay visible
        splitter.addWidget(self.view)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        self._update_count()

    def set_functions(self, names: list[str]) -> None:
        self.function_box.set_functions(names)

    def add_events(self, batch: EventBatch) -> None:
        delivered = [batch_line(event) for event in batch.mapping_batches if event.request_id]
        if batch.logs or delivered:
            self._incoming.extend(batch.logs)
            self._incoming.extend(delivered)   # after the invocation's REPORT: the batch it carried, its size
            self._paced.request()

    def flush(self) -> None:
        """Hand the lines received since the last flush to the model (and so to the view) in one insert."""
        lines, self._incoming = self._incoming, []
        if not lines:
            return
        self.model.append(lines)
        if self.follow_box.isChecked() and not self._scroll_pending:
            # Scrolled once the view has laid the new rows out, not once per batch of appends.
            self._scroll_pending = True
            QTimer.singleShot(0, self._follow)
        self._update_count()

    def _follow(self) -> None:
        self._scroll_pending = False
        self.view.scrollToBottom()
        scroll_bar = self.view.verticalScrollBar()
        scroll_bar.setValue(scroll_bar.maximum())

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        if self.follow_box.isChecked():
            self.view.verticalScrollBar().setValue(maximum)

    def newest_line_visible(self) -> bool:
        """Whether the last row is wholly inside the view (what Follow promises; the tests' measure)."""
        rows = self.model.rowCount()
        if rows == 0:
            return True
        rect = self.view.visualRect(self.model.index(rows - 1, 0))
        return rect.isValid() and self.view.viewport().rect().contains(rect.adjusted(1, 1, -1, -1))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """A logs tab brought to the front (it was behind the traces) catches up with the newest line."""
        super().showEvent(event)
        if self.follow_box.isChecked():
            QTimer.singleShot(0, self._follow)

    def current_filter(self) -> LogFilter:
        return LogFilter(function=self.function_box.function,
                         request_id=self.request_field.text().strip() or None,
                         text=self.text_field.text(), min_level=Level(self.level_box.currentData()))

    def _schedule_filter(self, *_args: object) -> None:
        self._filter_timer.start()

    def apply_filter(self) -> None:
        self._filter_timer.stop()
        self.flush()
        self.model.set_filter(self.current_filter())
        self._update_count()
        if self.follow_box.isChecked():
            self.view.scrollToBottom()

    def show_request(self, request_id: str) -> None:
        """Jump to an invocation's lines: filter on its request id and select its first line."""
        self.flush()
        self.follow_box.setChecked(False)
        self.text_field.clear()
        self.level_box.setCurrentIndex(0)
        self.function_box.show_function(None)
        self.request_field.setText(request_id)
        self.apply_filter()
        row = self.model.first_row_of(request_id)
        if row >= 0:
            index = self.model.index(row, 0)
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)
        else:   # an invocation from before this session (or past the capacity): its lines are in the store
            self.detail.setPlainText(f"Looking for request {request_id} in the project's stored logs…")
            self.request_not_loaded.emit(request_id)

    def show_stored(self, request_id: str, lines: list[StoredLog]) -> None:
        """Lines read back from the project's store, shown in the detail view (the list holds live lines)."""
        if not lines:
            self.detail.setPlainText(f"No log lines for request {request_id}, live or stored.")
            return
        first = lines[0]
        self.detail.setPlainText(f"From the project's stored logs ({first.function}, {first.log_stream}):\n"
                                 + "\n".join(full_text(line.message) for line in lines))

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        self.count_label.setText(f"{shown:,} lines" if shown == total else f"{shown:,} of {total:,} lines")

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        index: QModelIndex = indexes[0]
        line = self.model.line_at(index.row())
        self.detail.setPlainText(f"{line.function}  {line.log_stream}  request {line.request_id or '-'}\n"
                                 + full_text(line.message))
