"""Monitoring, like the console's Monitor tab but live: one small chart per metric, all on one shared time axis
(the last few minutes, second by second), for one function or all of them; exportable as PNG and CSV."""

from __future__ import annotations

import math
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.engine import EngineStatistics
from workbench.gui.bridge import EventBatch
from workbench.gui.models.metrics_history import ALL, METRICS, MetricsHistory, value
from workbench.gui.widgets.function_chooser import FunctionChooser

WINDOW_S = 180
REPAINT_MS = 500
LEFT, ROW_GAP, AXIS = 210, 4, 18


class MonitorCharts(QWidget):
    """Every metric as a row of bars over the same seconds (the shared axis is drawn once, at the bottom)."""

    def __init__(self, history: MetricsHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.function = ALL
        self.now = time.time()
        # Every metric's label on its own line: the tab scrolls (it is in a scroll area beside the logs) rather
        # than draw the labels over each other or squeeze the editor.
        self.setMinimumHeight(len(METRICS) * self.row_height() + AXIS)

    def row_height(self) -> int:
        """The least height of one metric's row: its label's line and a little space."""
        return self.fontMetrics().height() + ROW_GAP

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:   # the Presentation preset's bigger type: taller rows
            self.setMinimumHeight(len(METRICS) * self.row_height() + AXIS)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        del event
        painter = QPainter(self)
        text = self.palette().text().color()
        painter.fillRect(self.rect(), self.palette().base())
        end = int(self.now)
        start = end - WINDOW_S
        buckets = {bucket.second: bucket for bucket in self.history.buckets(self.function, start)}
        width = max(10.0, self.width() - LEFT - 8)
        row_height = (self.height() - AXIS) / len(METRICS)
        step = width / WINDOW_S
        accent = QColor("#2f7ed8")
        grid = QColor(text)
        grid.setAlpha(40)
        for row, (name, unit, key) in enumerate(METRICS):
            top = row * row_height
            values = {second: value(bucket, key) for second, bucket in buckets.items()}
            values = {second: v for second, v in values.items() if not math.isnan(v)}
            peak = max(values.values(), default=0.0)
            scale = 100.0 if unit == "%" else max(peak, 1.0)
            painter.setPen(text)
            latest = values.get(max(values), math.nan) if values else math.nan
            label = f"{name}: {'-' if math.isnan(latest) else f'{latest:.0f}'} {unit if unit != 'count' else ''}"
            painter.drawText(QRectF(4, top, LEFT - 8, row_height), Qt.AlignmentFlag.AlignVCenter, label)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(LEFT, top + row_height - 1), QPointF(LEFT + width, top + row_height - 1))
            inner = row_height - ROW_GAP
            for second, v in values.items():
                height = inner * min(1.0, v / scale)
                x = LEFT + (second - start) * step
                painter.fillRect(QRectF(x, top + row_height - 1 - height, max(1.0, step - 1), height), accent)
        painter.setPen(text)
        axis_top = self.height() - AXIS
        for seconds_ago in range(0, WINDOW_S + 1, 30):
            x = LEFT + (WINDOW_S - seconds_ago) * step
            painter.drawLine(QPointF(x, axis_top), QPointF(x, axis_top + 4))
            painter.drawText(QRectF(x - 30, axis_top + 3, 60, AXIS - 3), Qt.AlignmentFlag.AlignHCenter,
                             "now" if seconds_ago == 0 else f"-{seconds_ago} s")


class MonitoringPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = MetricsHistory()
        self.charts = MonitorCharts(self.history)
        self.function_box = FunctionChooser()
        self.function_box.currentTextChanged.connect(self._function_changed)
        self.png_button = QPushButton("Export PNG…")
        self.csv_button = QPushButton("Export CSV…")
        self.png_button.clicked.connect(lambda: self._choose("PNG image (*.png)", ".png", self.export_png))
        self.csv_button.clicked.connect(lambda: self._choose("CSV (*.csv)", ".csv", self.export_csv))
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Monitor"))
        bar.addWidget(self.function_box, 1)
        bar.addWidget(self.png_button)
        bar.addWidget(self.csv_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.charts, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(REPAINT_MS)
        self._timer.timeout.connect(self._repaint)
        self._timer.start()

    def set_functions(self, names: list[str]) -> None:
        self.function_box.set_functions(names)
        self._function_changed(self.function_box.currentText())

    def show_function(self, name: str) -> None:
        self.function_box.setCurrentText(name)

    def _function_changed(self, name: str) -> None:
        self.charts.function = name or ALL
        self.charts.update()

    def add_events(self, batch: EventBatch) -> None:
        for finished in batch.finished:
            self.history.add_invocation(finished.record, finished.timestamp)
        for throttle in batch.throttles:
            self.history.add_throttle(throttle.function, throttle.timestamp)
        for event in batch.asynchronous:
            self.history.add_async(event)

    def add_statistics(self, statistics: EngineStatistics) -> None:
        self.history.add_statistics(statistics)

    def _repaint(self) -> None:
        if self.isVisible():   # a hidden tab costs nothing
            self.charts.now = time.time()
            self.charts.update()

    def _choose(self, name_filter: str, suffix: str, export: object) -> None:
        dialog = QFileDialog(self, "Export the monitor")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(name_filter)
        dialog.setDefaultSuffix(suffix.lstrip("."))
        dialog.fileSelected.connect(lambda path: export(Path(path)))  # type: ignore[operator]
        dialog.open()

    def export_png(self, path: Path) -> bool:
        self.charts.now = time.time()
        return self.charts.grab().save(str(path), "PNG")

    def export_csv(self, path: Path) -> None:
        since = int(time.time()) - WINDOW_S
        partial = path.with_name(path.name + ".part")
        partial.write_text(self.history.to_csv(self.charts.function, since))
        partial.replace(path)
