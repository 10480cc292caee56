"""The result of one invocation, as the event editor shows it: payload, function error, duration, billed
duration, init duration, memory, and whether it was a cold start."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.engine import InvocationRecord, InvokeResult
from workbench.gui import theme
from workbench.gui.widgets.code_view import CodeView
from workbench.gui.widgets.highlighter import PygmentsHighlighter, lexer_for
from workbench.gui.widgets.id_label import IdLabel


def pretty_payload(payload: bytes) -> str:
    text = payload.decode("utf-8", "replace")
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text


#: What to do about a throttle, by its Reason (spec: TooManyRequestsException reasons).
THROTTLE_ADVICE = {
    "ReservedFunctionConcurrentInvocationLimitExceeded":
        "The function's reserved concurrency is used up: raise it (Functions > right-click > reserved "
        "concurrency), remove it, or send fewer requests at once.",
    "ConcurrentInvocationLimitExceeded":
        "The account's concurrency limit is used up: lower other functions' load or raise the account limit.",
    "FunctionInvocationRateLimitExceeded":
        "Too many requests per second for this function: slow down, or add provisioned concurrency.",
    "CallerRateLimitExceeded": "This caller sends too fast: slow down.",
}

def invocation_kind(record: InvocationRecord | None) -> str:
    """The headline's word for how the environment was found: cold, warm, or warm with init re-run (and why)."""
    if record is None:
        return "warm"
    if record.cold_start:
        return "cold start"
    if record.reinit_reason is not None:
        return f"warm, init re-ran: {record.reinit_reason}"
    return "warm"


def init_text(record: InvocationRecord) -> str:
    """The Init field, in agreement with the headline: a failed init is never shown as "none (warm)"."""
    if record.status == "init-error":
        return f"failed ({record.error_type or 'error'})"
    if record.init_duration_ms is not None:
        return f"{record.init_duration_ms:.2f} ms"
    if record.reinit_ms is not None:
        return f"{record.reinit_ms:.2f} ms, re-run in the invoke phase"
    return "none (cold start)" if record.cold_start else "none (warm)"


#: Lines of the response payload that stay visible however small the window.
PAYLOAD_LINES = 10


class InvokeResultView(QWidget):
    show_logs_requested = Signal(str)

    def payload_height(self, lines: int) -> int:
        view = self.payload
        margins = view.contentsMargins().top() + view.contentsMargins().bottom()
        scrollbar = view.horizontalScrollBar().sizeHint().height()
        return lines * view.fontMetrics().lineSpacing() + int(2 * view.document().documentMargin()) + margins \
            + scrollbar + 2

    def visible_payload_lines(self) -> int:
        """How many whole lines of the payload the view shows now (the layout tests' measure)."""
        view = self.payload
        usable = view.viewport().height() - 2 * view.document().documentMargin()
        return int(usable // view.fontMetrics().lineSpacing())

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: InvokeResult | None = None
        self.headline = QLabel("No invocation yet")
        font = self.headline.font()
        font.setPointSize(font.pointSize() + 2)
        font.setBold(True)
        self.headline.setFont(font)
        # A long headline wraps instead of widening the dock past a projector's width.
        self.headline.setWordWrap(True)
        self.headline.setMinimumWidth(80)
        self.fields: dict[str, QLabel] = {}   # the request id's is an IdLabel
        form = QGridLayout()   # two facts a row: the pane must fit beside the editor on a 1280x800 projector
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(2)
        names = ("Duration", "Billed", "Init", "Memory", "Version")
        for position, name in enumerate(names):
            label = QLabel("-")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            label.setMinimumWidth(40)
            self.fields[name] = label
            row, column = divmod(position, 2)
            form.addWidget(QLabel(name + ":"), row, column * 2)
            form.addWidget(label, row, column * 2 + 1)
        # The request id cannot wrap (no break a reader accepts in a UUID): it takes the rest of the last row,
        # elided at the end (whole in its tooltip and context-menu copy) if narrower.
        self.fields["Request id"] = IdLabel("-")
        form.addWidget(QLabel("Request id:"), 2, 2)
        form.addWidget(self.fields["Request id"], 2, 3)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        self.logs_button = QPushButton("Show its log lines")
        self.logs_button.setEnabled(False)
        self.logs_button.clicked.connect(self._show_logs)
        self.payload = CodeView()
        self.payload.setReadOnly(True)
        # Room for PAYLOAD_LINES lines of the answer at any window size (a 1280x800 projector included).
        self.payload.setMinimumHeight(self.payload_height(PAYLOAD_LINES))
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
        kind = invocation_kind(record)
        if result.function_error:
            self.headline.setText(f"✖ Function error ({result.function_error}) · {kind}")
            self.headline.setStyleSheet(f"color: {theme.ERROR_COLOUR}")
        else:
            self.headline.setText(f"✔ Succeeded · {kind}")
            self.headline.setStyleSheet(f"color: {theme.SUCCESS_COLOUR}")
        if record is not None:
            self.fields["Duration"].setText(f"{record.duration_ms:.2f} ms")
            self.fields["Billed"].setText(f"{record.billed_duration_ms} ms")
            self.fields["Init"].setText(init_text(record))
            self.fields["Memory"].setText(f"{record.max_memory_used_mb} of {record.memory_size_mb} MB")
        self.fields["Version"].setText(result.executed_version)
        self.fields["Request id"].setText(result.request_id)
        self.payload.setPlainText(pretty_payload(result.payload))
        self.logs_button.setEnabled(True)

    def _clear_fields(self) -> None:
        for label in self.fields.values():
            label.setText("-")
        self.payload.setPlainText("")
        self.logs_button.setEnabled(False)

    def show_invoking(self, target: str) -> None:
        """A call is under way: the previous result must not pass for this one's."""
        self.result = None
        self.headline.setText(f"… Invoking {target}")
        self.headline.setStyleSheet(f"color: {theme.MUTED_COLOUR}")
        self._clear_fields()

    def show_refused(self, code: str, message: str, reason: str | None = None) -> None:
        """The request was refused before the function ran (a throttle, an unknown qualifier, ...)."""
        self.result = None
        self._clear_fields()
        if reason is not None:
            self.headline.setText(f"✖ Throttled: {code} ({reason})")
            advice = THROTTLE_ADVICE.get(reason, "Retry later, or raise the limit that was reached.")
            self.payload.setPlainText(f"{message}\n\nReason: {reason}\n{advice}")
        else:
            self.headline.setText(f"✖ Refused: {code}")
            self.payload.setPlainText(message)
        self.headline.setStyleSheet(f"color: {theme.ERROR_COLOUR}")

    def show_accepted(self, request_id: str) -> None:
        """An asynchronous invocation: queued (202), its outcome comes later in the logs and traces."""
        self.result = None
        self.headline.setText("▷ Accepted (202): queued for asynchronous invocation")
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
