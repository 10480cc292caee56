"""The "which function?" box that filtering panes share (logs, triggers, asynchronous queue, monitor): "All
functions" and then each function's name. Refilling it when the catalogue changes keeps the user's choice
while that function still exists, and emits nothing (a refill is not the user choosing)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

ALL_FUNCTIONS = "All functions"


class FunctionChooser(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItem(ALL_FUNCTIONS)

    def set_functions(self, names: list[str]) -> None:
        current = self.currentText()
        self.blockSignals(True)
        self.clear()
        self.addItems([ALL_FUNCTIONS, *names])
        self.setCurrentText(current if current in names else ALL_FUNCTIONS)
        self.blockSignals(False)

    @property
    def function(self) -> str | None:
        """The chosen function, or None for all of them."""
        text = self.currentText()
        return None if text in ("", ALL_FUNCTIONS) else text

    def show_function(self, name: str | None) -> None:
        """Choose ``name`` (None: all functions)."""
        self.setCurrentText(name or ALL_FUNCTIONS)
