"""The Configuration view's first tabs: general settings, environment variables and layers of $LATEST.

Each tab is a form over the current FunctionConfig with its own Save button; saving sends the whole tab's
values in one `update_function_configuration` call (the engine validates them as Lambda does, and a refusal
reaches the message bar with AWS's error code).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.widgets.header_fit import keep_titles_whole
from workbench.model import limits
from workbench.model.function import FunctionConfig

ARCHITECTURES = ("x86_64", "arm64")


class GeneralTab(QWidget):
    """Memory, timeout, ephemeral storage, description and architecture."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.memory = QSpinBox()
        self.memory.setRange(limits.MEMORY_MIN_MB, limits.MEMORY_MAX_MB)
        self.memory.setSuffix(" MB")
        self.timeout = QSpinBox()
        self.timeout.setRange(limits.TIMEOUT_MIN_S, limits.TIMEOUT_MAX_S)
        self.timeout.setSuffix(" s")
        self.storage = QSpinBox()
        self.storage.setRange(limits.EPHEMERAL_MIN_MB, limits.EPHEMERAL_MAX_MB)
        self.storage.setSuffix(" MB")
        self.description = QLineEdit()
        self.architecture = QComboBox()
        self.architecture.addItems(ARCHITECTURES)
        self.save = QPushButton("&Save")
        self.save.setToolTip("Save the general settings (one change of the function's configuration)")
        form = QFormLayout(self)
        form.addRow("Memory:", self.memory)
        form.addRow("Timeout:", self.timeout)
        form.addRow("Ephemeral storage (/tmp):", self.storage)
        form.addRow("Description:", self.description)
        last = QHBoxLayout()   # Save beside the last field: one row less in the short central area
        last.addWidget(self.architecture, 1)
        last.addWidget(self.save)
        form.addRow("Architecture:", last)

    def load(self, config: FunctionConfig) -> None:
        self.memory.setValue(config.memory_size)
        self.timeout.setValue(config.timeout)
        self.storage.setValue(config.ephemeral_storage)
        self.description.setText(config.description)
        self.description.setCursorPosition(0)   # a long description shows its start, not its end
        self.architecture.setCurrentText(config.architectures[0] if config.architectures else ARCHITECTURES[0])

    def changes(self) -> dict[str, Any]:
        return {"memory_size": self.memory.value(), "timeout": self.timeout.value(),
                "ephemeral_storage": self.storage.value(), "description": self.description.text(),
                "architectures": (self.architecture.currentText(),)}

    def set_editable(self, editable: bool) -> None:
        for widget in (self.memory, self.timeout, self.storage, self.description, self.architecture):
            widget.setEnabled(editable)
        self.save.setVisible(editable)


class EnvironmentTab(QWidget):
    """Environment variables as a two-column table: add a row, edit a cell, remove the selected rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Key", "Value"])
        self.table.horizontalHeader().setStretchLastSection(True)
        keep_titles_whole(self.table)
        self.add = QPushButton("&Add variable")
        self.remove = QPushButton("&Remove")
        self.save = QPushButton("&Save variables")
        self.add.clicked.connect(self.add_row)
        self.remove.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        for button in (self.add, self.remove):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def load(self, config: FunctionConfig) -> None:
        self.table.setRowCount(0)
        for key, value in sorted(config.environment.items()):
            self.add_row(key, value)

    def add_row(self, key: str = "", value: str = "") -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(key))
        self.table.setItem(row, 1, QTableWidgetItem(value))
        if not key:
            self.table.setCurrentCell(row, 0)
        return row

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()} or
                      ({self.table.currentRow()} if self.table.currentRow() >= 0 else set()), reverse=True)
        for row in rows:
            self.table.removeRow(row)

    def variables(self) -> dict[str, str]:
        """The table's rows; a row left entirely blank is ignored, a blank key with a value is sent as it is
        (the engine refuses it with Lambda's own message)."""
        values: dict[str, str] = {}
        for row in range(self.table.rowCount()):
            key, value = (item.text() if (item := self.table.item(row, c)) is not None else "" for c in (0, 1))
            if key or value:
                values[key] = value
        return values

    def set_editable(self, editable: bool) -> None:
        triggers = (QTableWidget.EditTrigger.DoubleClicked | QTableWidget.EditTrigger.EditKeyPressed
                    | QTableWidget.EditTrigger.AnyKeyPressed)
        self.table.setEditTriggers(triggers if editable else QTableWidget.EditTrigger.NoEditTriggers)
        for button in (self.add, self.remove, self.save):
            button.setVisible(editable)


class LayersTab(QWidget):
    """The layer version ARNs, in order (later layers overwrite earlier files in /opt)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.arn = QLineEdit()
        self.arn.setPlaceholderText("arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION")
        self.add = QPushButton("&Add layer")
        self.remove = QPushButton("&Remove")
        self.save = QPushButton("&Save layers")
        self.add.clicked.connect(self.add_arn)
        self.remove.clicked.connect(self.remove_selected)
        entry = QHBoxLayout()
        entry.addWidget(self.arn, 1)
        entry.addWidget(self.add)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        buttons.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(entry)
        layout.addLayout(buttons)

    def load(self, config: FunctionConfig) -> None:
        self.list.clear()
        self.list.addItems(list(config.layers))

    def add_arn(self) -> None:
        arn = self.arn.text().strip()
        if arn:
            self.list.addItem(arn)
            self.arn.clear()

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def arns(self) -> tuple[str, ...]:
        return tuple(self.list.item(row).text() for row in range(self.list.count()))

    def set_editable(self, editable: bool) -> None:
        for widget in (self.arn, self.add, self.remove, self.save):
            widget.setVisible(editable)
