"""The New function form: a name, and either a blueprint from the gallery (searchable, filtered by runtime,
with a preview of its code and presets) or a runtime, handler, memory and timeout from scratch. Shown with
`open()`; the caller reads the values when it is accepted."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.catalog.blueprints import Blueprint
from workbench.catalog.plainfunction import STARTER_RUNTIMES
from workbench.gui.widgets.blueprint_gallery import BlueprintGallery


class NewFunctionDialog(QDialog):
    def __init__(self, blueprints: list[Blueprint], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New function")
        self.gallery = BlueprintGallery(blueprints)
        self.name_field = QLineEdit()
        self.name_field.setPlaceholderText("hello")
        self.name_field.setToolTip("The FunctionName: 1 to 64 letters, digits, '-' or '_'")
        self.runtime_box = QComboBox()
        self.runtime_box.addItems(STARTER_RUNTIMES)
        self.handler_field = QLineEdit("app.handler")
        self.handler_field.setToolTip("file.function: app.handler is the function handler in app.py (or app.js)")
        self.memory = QSpinBox()
        self.memory.setRange(128, 10240)
        self.memory.setSingleStep(64)
        self.memory.setValue(128)
        self.memory.setSuffix(" MB")
        self.timeout = QSpinBox()
        self.timeout.setRange(1, 900)
        self.timeout.setValue(3)
        self.timeout.setSuffix(" s")
        self.note = QLabel("")
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Name:", self.name_field)
        form.addRow("&Runtime:", self.runtime_box)
        form.addRow("&Handler:", self.handler_field)
        form.addRow("&Memory:", self.memory)
        form.addRow("&Timeout:", self.timeout)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Start from a blueprint, or from scratch:"))
        layout.addWidget(self.gallery, 1)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.resize(820, 620)   # the gallery's preview readable; still inside a 1280x800 projector
        self.gallery.chosen.connect(self._start_changed)
        self.runtime_box.currentTextChanged.connect(self._runtime_changed)

    @property
    def blueprint(self) -> Blueprint | None:
        return self.gallery.blueprint

    @property
    def name(self) -> str:
        return self.name_field.text().strip()

    def _start_changed(self, blueprint: Blueprint | None) -> None:
        for widget in (self.runtime_box, self.handler_field, self.memory, self.timeout):
            widget.setEnabled(blueprint is None)
        if blueprint is not None:   # show what the blueprint sets, greyed
            self.runtime_box.setCurrentText(blueprint.runtime)
            if self.runtime_box.currentText() != blueprint.runtime:
                self.runtime_box.addItem(blueprint.runtime)
                self.runtime_box.setCurrentText(blueprint.runtime)
            self.handler_field.setText(blueprint.handler)
            self.memory.setValue(blueprint.memory)
            self.timeout.setValue(blueprint.timeout)
            self.note.setText(f"{blueprint.name}: its code, resources and sample events are added with the function")
            if not self.name_field.text():
                self.name_field.setPlaceholderText(blueprint.name)
        else:
            self.note.setText("")

    def _runtime_changed(self, runtime: str) -> None:
        handler = self.handler_field.text()
        if self.blueprint is None and handler in ("app.handler", "index.handler"):
            self.handler_field.setText("index.handler" if runtime.startswith("nodejs") else "app.handler")
