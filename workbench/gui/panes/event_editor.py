"""The event editor: write or pick an event, validate it as you type, save it under a name for the
function, and invoke (synchronously, or asynchronously once the engine offers it)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.engine import Engine, InvokeResult, LambdaError, TooManyRequestsError
from workbench.gui import theme
from workbench.gui.operations import Operations
from workbench.gui.panes.invoke_result import InvokeResultView
from workbench.gui.session import EngineSession
from workbench.gui.widgets.code_view import CodeView
from workbench.gui.widgets.highlighter import PygmentsHighlighter, lexer_for
from workbench.gui.widgets.message_bar import Level, MessageBar
from workbench.gui.widgets.snug import fit_placeholder, snug_button
from workbench.model.arn import LATEST
from workbench.model.saved_events import SavedEventError, SavedEventStore
from workbench.resources import sample_events

VALIDATE_DELAY_MS = 150
#: The event name field's least width before its buttons were made snug (the saved-events row keeps that width).
NAME_MIN_W = 40
DEFAULT_EVENT = '{\n  "name": "class"\n}\n'


def json_problem(text: str) -> tuple[int, int, str] | None:
    """(line, column, message) of the first JSON error in ``text``; None when it parses (or is empty)."""
    if not text.strip():
        return None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc.lineno, exc.colno, exc.msg
    return None


class EventEditorPane(QWidget):
    invoked = Signal(object)             # InvokeResult
    show_logs_requested = Signal(str)    # request id

    def __init__(self, session: EngineSession, operations: Operations, message_bar: MessageBar,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._operations = operations
        self._message_bar = message_bar
        self.function_box = QComboBox()
        self.function_box.currentTextChanged.connect(self._function_changed)
        self.qualifier_box = QComboBox()
        self.qualifier_box.setEditable(True)
        self.qualifier_box.setToolTip("$LATEST, a published version or an alias")
        self.sample_box = QComboBox()
        self.sample_box.addItem("Sample event…")
        self.sample_box.setToolTip("Replace the event with a sample: API Gateway, SQS, SNS, S3, DynamoDB, …")
        self._samples = sample_events()
        self.sample_box.addItems(list(self._samples))
        self.sample_box.activated.connect(self._insert_sample)
        self.saved_box = QComboBox()
        self.saved_box.setToolTip("Test events saved for this function, in the project's events/ folder")
        self.saved_box.activated.connect(self._load_saved)
        self.name_field = QLineEdit()
        self.name_field.setPlaceholderText("name")
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save the event under the name for this function (events/<function>/)")
        self.save_button.clicked.connect(self.save_event)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the saved event of this name")
        self.delete_button.clicked.connect(self.delete_event)
        # The saved-events row is one line in a narrow dock: short buttons leave the name field its placeholder.
        # The row keeps the width it had with the style's wider buttons (the event dock's width at 1280x800 and
        # 1366x768 rests on it, and with it how the result's headline wraps): what they free goes to the name.
        natural = sum(button.sizeHint().width() for button in (self.save_button, self.delete_button))
        for button in (self.save_button, self.delete_button):
            snug_button(button)
        freed = natural - self.save_button.width() - self.delete_button.width()
        fit_placeholder(self.name_field, at_least=NAME_MIN_W + freed)
        self.editor = CodeView()
        self.editor.setPlainText(DEFAULT_EVENT)
        self.editor.setMinimumHeight(4 * self.editor.fontMetrics().lineSpacing())
        self._highlighter = PygmentsHighlighter(self.editor.document(), lexer_for(Path("event.json")))
        self.validation = QLabel()
        self.validation.setWordWrap(True)
        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(VALIDATE_DELAY_MS)
        self._validate_timer.timeout.connect(self.validate)
        self.editor.textChanged.connect(self._validate_timer.start)
        self.mode_box = QComboBox()
        self.mode_box.addItem("Synchronous (RequestResponse)", "sync")
        self.mode_box.addItem("Asynchronous (Event)", "async")
        self.mode_box.setItemData(1, "Accepted at once (202); the function runs in the background and its "
                                  "outcome shows in the logs and traces", Qt.ItemDataRole.ToolTipRole)
        self.invoke_button = QPushButton("▶ Invoke")
        self.invoke_button.setToolTip("Invoke the function with this event (Ctrl+Enter)")
        self.invoke_button.setDefault(True)
        self.invoke_button.clicked.connect(self.invoke)
        self.result_view = InvokeResultView()
        self.result_view.show_logs_requested.connect(self.show_logs_requested)
        for box in (self.function_box, self.qualifier_box, self.sample_box, self.saved_box, self.mode_box):
            # Narrow docks: combo boxes shrink to a few characters instead of their longest entry.
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(6)
        self._build_layout()
        self.validate()

    def _build_layout(self) -> None:
        # Rows of at most two controls: the pane is about 340 px wide on a 1280x800 projector, and nothing in
        # it may be cut off or widen the dock.
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(3)
        grid.addWidget(QLabel("Function:"), 0, 0)
        grid.addWidget(self.function_box, 0, 1, 1, 2)
        grid.addWidget(QLabel("Qualifier:"), 1, 0)
        grid.addWidget(self.qualifier_box, 1, 1)
        grid.addWidget(self.sample_box, 1, 2)
        grid.addWidget(QLabel("Saved:"), 2, 0)
        saved = QHBoxLayout()
        saved.setSpacing(4)
        saved.addWidget(self.saved_box, 1)
        saved.addWidget(self.name_field, 1)
        saved.addWidget(self.save_button)
        saved.addWidget(self.delete_button)
        grid.addLayout(saved, 2, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        run = QHBoxLayout()
        run.addWidget(self.mode_box, 1)
        run.addWidget(self.invoke_button)
        editor_part = QWidget()
        editor_layout = QVBoxLayout(editor_part)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.setSpacing(3)
        editor_layout.addLayout(grid)
        editor_layout.addWidget(self.editor, 1)
        editor_layout.addWidget(self.validation)
        editor_layout.addLayout(run)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(editor_part)
        self.splitter.addWidget(self.result_view)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)

    # -- functions --------------------------------------------------------------------------------------
    def refresh_functions(self, engine: Engine | None) -> None:
        current = self.function_box.currentText()
        names = [config.name for config in engine.functions()] if engine is not None else []
        self.function_box.blockSignals(True)
        self.function_box.clear()
        self.function_box.addItems(names)
        self.function_box.blockSignals(False)
        if current in names:
            self.function_box.setCurrentText(current)
        self._function_changed(self.function_box.currentText())

    def select_function(self, name: str, qualifier: str | None = None) -> None:
        self.function_box.setCurrentText(name)
        if qualifier:
            self.qualifier_box.setCurrentText(qualifier)

    @property
    def function(self) -> str:
        return self.function_box.currentText()

    def refresh_qualifiers(self) -> None:
        current = self.qualifier_box.currentText()
        self._function_changed(self.function)
        if self.qualifier_box.findText(current) >= 0:
            self.qualifier_box.setCurrentText(current)

    def _function_changed(self, name: str) -> None:
        engine = self._session.engine
        qualifiers = [LATEST]
        if engine is not None and name and engine.has_function(name):
            entry = engine.function_entry(name)
            qualifiers += sorted(entry.versions, key=lambda v: int(v) if v.isdigit() else 0)
            qualifiers += sorted(entry.aliases)
        self.qualifier_box.clear()
        self.qualifier_box.addItems(qualifiers)
        self._refresh_saved()

    # -- events -----------------------------------------------------------------------------------------
    def _store(self) -> SavedEventStore:
        return SavedEventStore(self._session.project.root)

    def _refresh_saved(self) -> None:
        names = self._store().names(self.function) if self.function else []
        self.saved_box.clear()
        # Short: beside "Saved:" in a 340 px dock the box shows about ten characters.
        self.saved_box.addItem(f"{len(names)} saved…" if names else "(none)")
        self.saved_box.addItems(names)

    def _insert_sample(self, index: int) -> None:
        if index <= 0:
            return
        title = self.sample_box.itemText(index)
        self.editor.setPlainText(self._samples[title].read_text(encoding="utf-8"))
        self.sample_box.setCurrentIndex(0)

    def _load_saved(self, index: int) -> None:
        if index <= 0:
            return
        name = self.saved_box.itemText(index)
        try:
            self.editor.setPlainText(self._store().load(self.function, name))
        except (OSError, SavedEventError) as exc:
            self._message_bar.error(f"Could not open saved event {name}: {exc}")
            return
        self.name_field.setText(name)

    def save_event(self) -> None:
        name = self.name_field.text().strip()
        try:
            path = self._store().save(self.function, name, self.editor.toPlainText())
        except (OSError, SavedEventError) as exc:
            self._message_bar.error(f"Could not save the event: {exc}")
            return
        self._refresh_saved()
        self.saved_box.setCurrentText(name)
        self._message_bar.info(f"Saved test event {name!r} for {self.function} in {path}")

    def delete_event(self) -> None:
        name = self.name_field.text().strip()
        try:
            self._store().delete(self.function, name)
        except (OSError, SavedEventError) as exc:
            self._message_bar.error(f"Could not delete the event: {exc}")
            return
        self._refresh_saved()

    # -- validation and invoke --------------------------------------------------------------------------
    def validate(self) -> bool:
        problem = json_problem(self.editor.toPlainText())
        if problem is None:
            self.editor.mark_line(None)
            self.validation.setText("✔ valid JSON")
            self.validation.setStyleSheet(f"color: {theme.SUCCESS_COLOUR}")
            return True
        line, column, message = problem
        self.editor.mark_line(line, column)
        self.validation.setText(f"✖ line {line}, column {column}: {message}")
        self.validation.setStyleSheet(f"color: {theme.ERROR_COLOUR}; font-weight: bold")
        return False

    def payload(self) -> bytes | None:
        """The event as bytes, or None when it is not valid JSON."""
        text = self.editor.toPlainText()
        return None if json_problem(text) is not None else text.encode()

    def payload_for(self, function: str) -> bytes:
        """The event to send to ``function`` (the load generator's payload): this editor's, when it is
        valid JSON and meant for that function; ``{}`` otherwise."""
        payload = self.payload() if function == self.function else None
        return payload if payload else b"{}"

    def invoke(self) -> None:
        function, qualifier = self.function, self.qualifier_box.currentText() or None
        payload = self.payload()
        if not self.validate() or payload is None:
            self._message_bar.error("The event is not valid JSON: fix the marked line before invoking")
            return
        if not function:
            self._message_bar.error("No function to invoke: the project has none")
            return
        qualifier = None if qualifier == LATEST else qualifier
        self.result_view.show_invoking(function + (f":{qualifier}" if qualifier else ""))
        if self.mode_box.currentData() == "async":
            self._operations.run(f"Invoke {function} asynchronously",
                                 lambda: self._session.require().invoke_async(function, payload, qualifier=qualifier),
                                 trigger=self.invoke_button, on_success=self.result_view.show_accepted)
            return
        self._operations.run(f"Invoke {function}", lambda: self._invoke(function, payload, qualifier),
                             trigger=self.invoke_button, on_success=self._show_result)

    async def _invoke(self, function: str, payload: bytes, qualifier: str | None) -> InvokeResult | None:
        try:
            return await self._session.require().invoke(function, payload, qualifier=qualifier)
        except TooManyRequestsError as throttle:
            # A throttle is an answer, not a failure of the workbench: it replaces the previous result.
            self.result_view.show_refused(throttle.code, throttle.message, throttle.reason)
            return None
        except LambdaError as refused:
            self.result_view.show_refused(refused.code, refused.message)
            raise

    def _show_result(self, result: InvokeResult | None) -> None:
        if result is None:
            return
        self.result_view.show_result(result)
        # An error about invoking this function is out of date now that it answered.
        current = self._message_bar.current
        if current is not None and current.level is Level.ERROR \
                and current.text.startswith(f"Invoke {self.function} "):
            self._message_bar.dismiss()
        self.invoked.emit(result)
