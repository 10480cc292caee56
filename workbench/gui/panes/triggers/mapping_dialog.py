"""Add or edit an event source mapping: the settings AWS offers for SQS queues, Kinesis streams and DynamoDB
streams, with AWS's defaults. The dialog only collects them; the engine validates them (its errors, AWS's
messages, land in the message bar) when the pane creates or updates the mapping."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from workbench.engine import MappingConfig, MappingOptions

STARTING_POSITIONS = ("LATEST", "TRIM_HORIZON")


def _spin(low: int, high: int, value: int, suffix: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setSuffix(suffix)
    return box


class MappingDialog(QDialog):
    def __init__(self, functions: list[str], sources: list[tuple[str, str]], current: MappingConfig | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current = current
        self.setWindowTitle("Edit the trigger" if current else "Add a trigger")
        self.function = QComboBox()
        self.function.addItems(functions)
        self.source = QComboBox()
        self.source.setEditable(True)   # an external source's ARN can be typed
        for label, arn in sources:
            self.source.addItem(f"{label} — {arn}", arn)
        self.enabled = QCheckBox("Enabled")
        self.enabled.setChecked(True)
        self.batch_size = _spin(1, 10000, 10)
        self.batching_window = _spin(0, 300, 0, " s")
        self.starting_position = QComboBox()
        self.starting_position.addItems(STARTING_POSITIONS)
        self.retries = _spin(-1, 10000, -1)
        self.retries.setSpecialValueText("forever (-1)")
        self.record_age = _spin(-1, 604800, -1, " s")
        self.record_age.setSpecialValueText("no limit (-1)")
        self.bisect = QCheckBox("Split the batch in two on a function error")
        self.parallelization = _spin(1, 10, 1)
        self.item_failures = QCheckBox("The function reports batch item failures (ReportBatchItemFailures)")
        self.filters = QPlainTextEdit()
        self.filters.setPlaceholderText('One filter pattern per line, e.g. {"body": {"kind": ["order"]}}')
        self.filters.setMaximumHeight(60)
        self.on_failure = QLineEdit()
        self.on_failure.setPlaceholderText("On-failure destination ARN (streams: queue or topic)")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Function", self.function)
        form.addRow("Source", self.source)
        form.addRow("", self.enabled)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Batching window", self.batching_window)
        form.addRow("Starting position (streams)", self.starting_position)
        form.addRow("Retry attempts (streams)", self.retries)
        form.addRow("Maximum record age (streams)", self.record_age)
        form.addRow("", self.bisect)
        form.addRow("Parallelization (streams)", self.parallelization)
        form.addRow("", self.item_failures)
        form.addRow("Filters", self.filters)
        form.addRow("On failure", self.on_failure)
        form.addRow(buttons)
        self.source.currentIndexChanged.connect(self._kind_changed)
        if current is not None:
            self._fill(current)
        self._kind_changed()

    def _fill(self, config: MappingConfig) -> None:
        self.function.setCurrentText(config.function)
        self.source.setEditText(config.source_arn)
        self.source.setEnabled(False)   # AWS cannot change a mapping's source
        self.enabled.setChecked(config.enabled)
        self.batch_size.setValue(config.batch_size)
        self.batching_window.setValue(config.maximum_batching_window_s)
        self.starting_position.setCurrentText(config.starting_position or "LATEST")
        self.starting_position.setEnabled(False)
        self.retries.setValue(config.maximum_retry_attempts)
        self.record_age.setValue(config.maximum_record_age_s)
        self.bisect.setChecked(config.bisect_batch_on_function_error)
        self.parallelization.setValue(config.parallelization_factor)
        self.item_failures.setChecked(config.reports_item_failures)
        self.filters.setPlainText("\n".join(config.filter_patterns))
        self.on_failure.setText(config.on_failure or "")

    def source_arn(self) -> str:
        text = self.source.currentText().strip()
        data = self.source.currentData()
        return str(data) if isinstance(data, str) and text.endswith(data) else text.rsplit(" — ", 1)[-1]

    def is_stream(self) -> bool:
        return not self.source_arn().startswith("arn:aws:sqs:")

    def _kind_changed(self) -> None:
        stream = self.is_stream()
        for widget in (self.retries, self.record_age, self.bisect, self.parallelization):
            widget.setEnabled(stream)
        self.starting_position.setEnabled(stream and self.current is None)
        if self.current is None and not stream:
            self.batch_size.setValue(10)

    def options(self) -> MappingOptions:
        """What the dialog says, as the engine's options (stream-only settings only for streams)."""
        stream = self.is_stream()
        patterns = tuple(line.strip() for line in self.filters.toPlainText().splitlines() if line.strip())
        return MappingOptions(
            enabled=self.enabled.isChecked(), batch_size=self.batch_size.value(),
            maximum_batching_window_s=self.batching_window.value(),
            starting_position=self.starting_position.currentText() if stream and self.current is None else None,
            parallelization_factor=self.parallelization.value() if stream else None,
            maximum_retry_attempts=self.retries.value() if stream else None,
            maximum_record_age_s=self.record_age.value() if stream else None,
            bisect_batch_on_function_error=self.bisect.isChecked() if stream else None,
            function_response_types=("ReportBatchItemFailures",) if self.item_failures.isChecked() else (),
            filter_patterns=patterns,
            on_failure=self.on_failure.text().strip() if self.on_failure.text().strip() or self.current else None)
