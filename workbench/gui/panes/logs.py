"""The log viewer: a live tail across functions, filtered by function, request id, text and level, with
START / END / REPORT styled, and the full text of the selected line below."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from workbench.gui import theme
from workbench.gui.bridge import EventBatch
from workbench.gui.models.log_lines import Level, LogFilter, full_text
from workbench.gui.models.log_model import FUNCTION, REQUEST, TIME, LogModel

ALL_FUNCTIONS = "All functions"
LEVELS = (("Any level", Level.DEBUG), ("INFO and above", Level.INFO), ("WARN and above", Level.WARN),
          ("ERROR only", Level.ERROR))
FILTER_DELAY_MS = 250


class LogsPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LogModel()
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)       # what keeps a million rows cheap to scroll
        self.view.setMinimumHeight(60)
        self.view.setRootIsDecorated(False)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setFont(theme.monospace_font(theme.BASE_POINT_SIZE - 1))
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in ((TIME, 110), (FUNCTION, 130), (REQUEST, 90)):
            header.resizeSection(column, width)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.function_box = QComboBox()
        self.function_box.addItem(ALL_FUNCTIONS)
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
        self.follow_box = QCheckBox("Follow")
        self.follow_box.setChecked(True)
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
        current = self.function_box.currentText()
        self.function_box.blockSignals(True)
        self.function_box.clear()
        self.function_box.addItems([ALL_FUNCTIONS, *names])
        self.function_box.setCurrentText(current if current in names else ALL_FUNCTIONS)
        self.function_box.blockSignals(False)

    def add_events(self, batch: EventBatch) -> None:
        if not batch.logs:
            return
        self.model.append(batch.logs)
        if self.follow_box.isChecked():
            self.view.scrollToBottom()
        self._update_count()

    def current_filter(self) -> LogFilter:
        function = self.function_box.currentText()
        return LogFilter(function=None if function in ("", ALL_FUNCTIONS) else function,
                         request_id=self.request_field.text().strip() or None,
                         text=self.text_field.text(), min_level=Level(self.level_box.currentData()))

    def _schedule_filter(self, *_args: object) -> None:
        self._filter_timer.start()

    def apply_filter(self) -> None:
        self._filter_timer.stop()
        self.model.set_filter(self.current_filter())
        self._update_count()
        if self.follow_box.isChecked():
            self.view.scrollToBottom()

    def show_request(self, request_id: str) -> None:
        """Jump to an invocation's lines: filter on its request id and select its first line."""
        self.follow_box.setChecked(False)
        self.text_field.clear()
        self.level_box.setCurrentIndex(0)
        self.function_box.setCurrentText(ALL_FUNCTIONS)
        self.request_field.setText(request_id)
        self.apply_filter()
        row = self.model.first_row_of(request_id)
        if row >= 0:
            index = self.model.index(row, 0)
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)

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
