"""The result of one invocation, as the event editor shows it: payload, function error, duration, billed
duration, init duration, memory, and whether it was a cold start."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.engine import InvokeResult
from workbench.gui import theme
from workbench.gui.widgets.code_view import CodeView
from workbench.gui.widgets.highlighter import PygmentsHighlighter, lexer_for


def pretty_payload(payload: bytes) -> str:
    text = payload.decode("utf-8", "replace")
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text


class InvokeResultView(QWidget):
    show_logs_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: InvokeResult | None = None
        self.headline = QLabel("No invocation yet")
        font = self.headline.font()
        font.setPointSize(font.pointSize() + 2)
        font.setBold(True)
        self.headline.setFont(font)
        self.fields: dict[str, QLabel] = {}
        form = QGridLayout()   # two facts a row: the pane must fit beside the editor on a 1280x800 projector
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(2)
        names = ("Duration", "Billed", "Init", "Memory", "Version", "Request id")
        for position, name in enumerate(names):
            label = QLabel("-")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            label.setMinimumWidth(40)
            self.fields[name] = label
            row, column = divmod(position, 2)
            form.addWidget(QLabel(name + ":"), row, column * 2)
            form.addWidget(label, row, column * 2 + 1)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        self.logs_button = QPushButton("Show its log lines")
        self.logs_button.setEnabled(False)
        self.logs_button.clicked.connect(self._show_logs)
        self.payload = CodeView()
        self.payload.setReadOnly(True)
        self.payload.setMinimumHeight(48)
        self._highlighter = PygmentsHighlighter(self.payload.document(), lexer_for(Path("payload.json")))
        top = QHBoxLayout()
        top.addWidget(self.headline, 1)
        top.addWidget(self.logs_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(self.payload, 1)

    def show_result(self, result: InvokeResult) -> None:
        self.result = result
        record = result.record
        kind = "cold start" if result.cold_start else "warm"
        if result.function_error:
            self.headline.setText(f"✖ Function error ({result.function_error}) · {kind}")
            self.headline.setStyleSheet(f"color: {theme.ERROR_COLOUR}")
        else:
            self.headline.setText(f"✔ Succeeded · {kind}")
            self.headline.setStyleSheet(f"color: {theme.SUCCESS_COLOUR}")
        if record is not None:
            self.fields["Duration"].setText(f"{record.duration_ms:.2f} ms")
            self.fields["Billed"].setText(f"{record.billed_duration_ms} ms")
            self.fields["Init"].setText(
                f"{record.init_duration_ms:.2f} ms" if record.init_duration_ms is not None else "none (warm)")
            self.fields["Memory"].setText(f"{record.max_memory_used_mb} of {record.memory_size_mb} MB")
        self.fields["Version"].setText(result.executed_version)
        self.fields["Request id"].setText(result.request_id)
        self.payload.setPlainText(pretty_payload(result.payload))
        self.logs_button.setEnabled(True)

    def show_accepted(self, request_id: str) -> None:
        """An asynchronous invocation: queued (202), its outcome comes later in the logs and traces."""
        self.result = None
        self.headline.setText("⏵ Accepted (202): queued for asynchronous invocation")
        self.headline.setStyleSheet(f"color: {theme.INVOKE_COLOUR}")
        for label in self.fields.values():
            label.setText("-")
        self.fields["Request id"].setText(request_id)
        self.payload.setPlainText("")
        self.logs_button.setEnabled(True)

    def _show_logs(self) -> None:
        request_id = self.fields["Request id"].text()
        if request_id and request_id != "-":
            self.show_logs_requested.emit(request_id)
