"""The concurrency graph pane: which function, how long a window, pause, export to PNG."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.engine import EngineStatistics
from workbench.gui.bridge import EventBatch
from workbench.gui.models.graph_history import GraphHistory
from workbench.gui.widgets.concurrency_graph import ConcurrencyGraph

ALL_FUNCTIONS = "All functions"
WINDOWS_S = (30, 60, 120, 300, 600)


class ConcurrencyPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = GraphHistory()
        self.graph = ConcurrencyGraph(self.history)
        self.function_box = QComboBox()
        self.function_box.addItem(ALL_FUNCTIONS)
        self.function_box.currentTextChanged.connect(self._function_changed)
        self.window_box = QComboBox()
        for seconds in WINDOWS_S:
            self.window_box.addItem(f"last {seconds} s" if seconds < 120 else f"last {seconds // 60} min", seconds)
        self.window_box.setCurrentIndex(WINDOWS_S.index(60))
        self.window_box.currentIndexChanged.connect(self._window_changed)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._pause_toggled)
        self.export_button = QPushButton("Export PNG…")
        self.export_button.clicked.connect(self._ask_export)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Function:"))
        controls.addWidget(self.function_box, 1)
        controls.addWidget(self.window_box)
        controls.addWidget(self.pause_button)
        controls.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self.graph, 1)
        self._dialog: QFileDialog | None = None

    def add_statistics(self, statistics: EngineStatistics) -> None:
        self.history.add_statistics(statistics)
        names = [self.function_box.itemText(i) for i in range(1, self.function_box.count())]
        if names != self.history.functions:
            current = self.function_box.currentText()
            self.function_box.blockSignals(True)
            self.function_box.clear()
            self.function_box.addItems([ALL_FUNCTIONS, *self.history.functions])
            self.function_box.setCurrentText(current if current in self.history.functions else ALL_FUNCTIONS)
            self.function_box.blockSignals(False)
            self._function_changed(self.function_box.currentText())
        if not self.graph.paused:
            self.graph.update()

    def add_events(self, batch: EventBatch) -> None:
        if batch.throttles or batch.started:
            self.history.add_events(batch.throttles, batch.started)   # painted with the next snapshot

    def reset(self) -> None:
        self.history.clear()
        self.graph.update()

    def show_function(self, name: str | None) -> None:
        self.function_box.setCurrentText(name or ALL_FUNCTIONS)

    def _function_changed(self, text: str) -> None:
        self.graph.function = None if text in ("", ALL_FUNCTIONS) else text
        self.graph.update()

    def _window_changed(self, _index: int) -> None:
        self.graph.window_s = float(self.window_box.currentData())
        self.graph.update()

    def _pause_toggled(self, paused: bool) -> None:
        self.graph.set_paused(paused)
        self.pause_button.setText("Resume" if paused else "Pause")

    def export_png(self, path: Path) -> bool:
        return self.graph.grab().save(str(path), "PNG")

    def _ask_export(self) -> None:
        dialog = QFileDialog(self, "Export the graph as PNG", str(Path.home() / "concurrency.png"),
                             "PNG images (*.png)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("png")
        dialog.fileSelected.connect(lambda name: self.export_png(Path(name)))
        self._dialog = dialog
        dialog.open()   # never exec(): the graph keeps running while the dialog is open
