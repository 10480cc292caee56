"""Small forms for the function tree's actions. Always shown with `open()` (window-modal, not blocking):
the caller connects `accepted` and reads the values, so no coroutine ever waits inside `exec()`."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)


class _Form(QDialog):
    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        self.form.addRow(self.buttons)


class NumberDialog(_Form):
    def __init__(self, title: str, label: str, value: int, minimum: int, maximum: int,
                 explanation: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        if explanation:
            note = QLabel(explanation)
            note.setWordWrap(True)
            self.form.addRow(note)
        self.spin = QSpinBox()
        self.spin.setRange(minimum, maximum)
        self.spin.setValue(value)
        self.form.addRow(label, self.spin)
        self.finish()

    @property
    def value(self) -> int:
        return self.spin.value()


class TextDialog(_Form):
    def __init__(self, title: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.field = QLineEdit()
        self.form.addRow(label, self.field)
        self.finish()

    @property
    def value(self) -> str:
        return self.field.text().strip()


class AliasDialog(_Form):
    """An alias: a name, the version it points to, and optionally a second version with a traffic weight."""

    def __init__(self, versions: list[str], preselected: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Create an alias", parent)
        self.name_field = QLineEdit()
        self.name_field.setPlaceholderText("live")
        self.version_box = QComboBox()
        self.version_box.addItems(versions)
        if preselected in versions:
            self.version_box.setCurrentText(preselected)
        self.extra_box = QComboBox()
        self.extra_box.addItem("(none)")
        self.extra_box.addItems([v for v in versions if v != "$LATEST"])   # weights route between published ones
        self.weight = QDoubleSpinBox()
        self.weight.setRange(0.0, 1.0)
        self.weight.setSingleStep(0.05)
        self.weight.setValue(0.1)
        self.description = QLineEdit()
        self.form.addRow("Name:", self.name_field)
        self.form.addRow("Version:", self.version_box)
        self.form.addRow("Also route to:", self.extra_box)
        self.form.addRow("with weight:", self.weight)
        self.form.addRow("Description:", self.description)
        self.finish()

    @property
    def additional_weights(self) -> dict[str, float] | None:
        extra = self.extra_box.currentText()
        return {extra: self.weight.value()} if self.extra_box.currentIndex() > 0 else None


class ProvisionedDialog(_Form):
    def __init__(self, qualifiers: list[str], preselected: str | None = None, count: int = 1,
                 parent: QWidget | None = None) -> None:
        super().__init__("Provisioned concurrency", parent)
        note = QLabel("Environments kept initialised for a published version or an alias (never $LATEST). "
                      "Requests beyond them spill over to on-demand environments.")
        note.setWordWrap(True)
        self.form.addRow(note)
        self.qualifier_box = QComboBox()
        self.qualifier_box.addItems(qualifiers)
        if preselected in qualifiers:
            self.qualifier_box.setCurrentText(preselected)
        self.spin = QSpinBox()
        self.spin.setRange(1, 1000)
        self.spin.setValue(count)
        self.form.addRow("Version or alias:", self.qualifier_box)
        self.form.addRow("Environments:", self.spin)
        self.finish()

    @property
    def qualifier(self) -> str:
        return self.qualifier_box.currentText()

    @property
    def value(self) -> int:
        return self.spin.value()
