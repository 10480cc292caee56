"""The asynchronous configuration of one function, as the console's "Asynchronous invocation" form: maximum
retries, maximum event age, on-success and on-failure destinations (per qualifier: a
FunctionEventInvokeConfig), and the function's dead-letter queue (its DeadLetterConfig, on $LATEST).

Opened with `open()`; the pane reads the values when it is accepted and hands them to the engine, whose
checks (AWS's ranges and messages, destinations that must exist) land in the message bar.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from workbench.engine import EventInvokeConfig

#: AWS's defaults and ranges (the engine checks them again).
DEFAULT_RETRIES, DEFAULT_AGE_S = 2, 21_600
NONE = ""


@dataclass(frozen=True, slots=True)
class AsyncSettings:
    qualifier: str
    maximum_retry_attempts: int
    maximum_event_age_s: int
    on_success: str | None
    on_failure: str | None
    dead_letter: str | None


class AsyncConfigDialog(QDialog):
    def __init__(self, function: str, qualifiers: list[str], configs: dict[str, EventInvokeConfig],
                 dead_letter: str | None, targets: list[tuple[str, str]], delay_scale: float,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Asynchronous invocation of {function}")
        self._configs = configs
        form = QFormLayout(self)
        self.qualifier = QComboBox()
        self.qualifier.addItems(qualifiers)
        self.qualifier.setToolTip("A configuration belongs to $LATEST (the unqualified function), a version or an "
                                  "alias; an event invoked through a qualifier follows its configuration, else the "
                                  "function's")
        self.retries = QSpinBox()
        self.retries.setRange(0, 2)
        self.retries.setToolTip("Attempts after a function error: AWS waits about 1 minute before the second and 2 "
                                "before the third")
        self.age = QSpinBox()
        self.age.setRange(60, 21_600)
        self.age.setSingleStep(60)
        self.age.setSuffix(" s")
        self.age.setToolTip("An event older than this is discarded (EventAgeExceeded) instead of being tried again")
        self.on_success = self._target_box(targets, with_functions=True)
        self.on_failure = self._target_box(targets, with_functions=True)
        self.dead_letter = self._target_box([t for t in targets if t[1].split(":")[2:3] in (["sqs"], ["sns"])],
                                            with_functions=False)
        self._set_text(self.dead_letter, dead_letter)
        note = QLabel(f"Retry delays and the maximum age run at {delay_scale:g} times their real length here "
                      "(the engine's async delay scale), so a class sees retries within seconds."
                      if delay_scale != 1 else "Retry delays are AWS's: about 1 and 2 minutes.")
        note.setWordWrap(True)
        form.addRow("&Qualifier:", self.qualifier)
        form.addRow("Maximum &retry attempts:", self.retries)
        form.addRow("Maximum event &age:", self.age)
        form.addRow("On &success:", self.on_success)
        form.addRow("On &failure:", self.on_failure)
        form.addRow("&Dead-letter queue:", self.dead_letter)
        form.addRow(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.qualifier.currentTextChanged.connect(self._show_config)
        self._show_config(self.qualifier.currentText())
        self.setMinimumWidth(520)

    @staticmethod
    def _target_box(targets: list[tuple[str, str]], with_functions: bool) -> QComboBox:
        box = QComboBox()
        box.setEditable(True)   # an ARN that is not listed (another function, an external queue) can be typed
        box.addItem("(none)", NONE)
        for label, arn in targets:
            box.addItem(f"{label} — {arn}", arn)
        box.setToolTip("A queue, topic or event bus ARN" + (", or a function's ARN" if with_functions else ""))
        return box

    @staticmethod
    def _set_text(box: QComboBox, arn: str | None) -> None:
        index = box.findData(arn or NONE)
        if index >= 0:
            box.setCurrentIndex(index)
        else:
            box.setEditText(arn or "")

    @staticmethod
    def _value(box: QComboBox) -> str | None:
        text = box.currentText().strip()
        index = box.findText(text)
        if index >= 0:
            data = box.itemData(index)
            return str(data) or None
        return text or None

    def _show_config(self, qualifier: str) -> None:
        config = self._configs.get(qualifier)
        self.retries.setValue(DEFAULT_RETRIES if config is None or config.maximum_retry_attempts is None
                              else config.maximum_retry_attempts)
        self.age.setValue(DEFAULT_AGE_S if config is None or config.maximum_event_age_s is None
                          else config.maximum_event_age_s)
        self._set_text(self.on_success, config.on_success if config is not None else None)
        self._set_text(self.on_failure, config.on_failure if config is not None else None)

    def settings(self) -> AsyncSettings:
        return AsyncSettings(self.qualifier.currentText(), self.retries.value(), self.age.value(),
                             self._value(self.on_success), self._value(self.on_failure), self._value(self.dead_letter))

    def select(self, box: QComboBox, arn: str | None) -> None:
        """Pick ``arn`` in one of the boxes (tests, and a lesson showing the form filled in)."""
        self._set_text(box, arn)
