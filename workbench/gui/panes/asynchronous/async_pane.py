"""Asynchronous invocation, visible: per function the queue (depth, oldest event's age, retries and endings
from the engine's statistics), every event with its attempts on a timeline (attempt, error, waiting for the
retry with a countdown, next attempt, dead-lettered or sent to a destination), the selected event's attempts
and the invocation record a destination received, and the function's asynchronous configuration (Configure…).

Events are read back from the store (they survive restarts) whenever the engine announces a step of one of
them; what went to a dead-letter queue or destination is known from the engine's announcements.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.engine import (
    AsyncDeliveryFailed,
    AsyncDestinationDelivered,
    AsyncEventDeadLettered,
    AsyncQueueStatistics,
    EngineStatistics,
    EventInvokeConfig,
    QueuedEvent,
)
from workbench.gui import theme
from workbench.gui.bridge import EventBatch
from workbench.gui.operations import Operations
from workbench.gui.panes.asynchronous.config_dialog import AsyncConfigDialog, AsyncSettings
from workbench.gui.panes.asynchronous.timeline import AsyncTimeline, EventView
from workbench.gui.session import EngineSession
from workbench.gui.widgets.function_chooser import FunctionChooser
from workbench.gui.widgets.message_bar import MessageBar
from workbench.gui.widgets.record_table import RecordTable
from workbench.model.arn import LATEST
from workbench.services.browser import Endpoint, destinations

#: Events read back per refresh (the newest).
EVENTS_SHOWN = 200
#: Store reads are coalesced: at most one per this many milliseconds while events keep coming.
REFRESH_MS = 250
TICK_MS = 200
#: Deliveries remembered per event id (the newest events only).
DELIVERIES_KEPT = 2000
COLUMNS = ("Received", "Request id", "Function", "State", "Attempts", "Next attempt", "How it ended")


def summary(stats: AsyncQueueStatistics) -> str:
    return (f"Depth {stats.depth} (queued {stats.queued}, running {stats.running}, waiting for a retry "
            f"{stats.waiting}) · oldest {stats.oldest_age_s:.1f} s · retries {stats.retries} · succeeded "
            f"{stats.succeeded} · failed {stats.failed} · too old {stats.expired} · dead-lettered "
            f"{stats.dead_lettered} · delivery failures {stats.delivery_failures}")


def add_up(parts: list[AsyncQueueStatistics]) -> AsyncQueueStatistics:
    """Every function's queue together (the "All functions" view)."""
    names = AsyncQueueStatistics.__slots__
    totals = {name: sum(getattr(part, name) for part in parts) for name in names if name != "oldest_age_s"}
    return AsyncQueueStatistics(**totals, oldest_age_s=max((p.oldest_age_s for p in parts), default=0.0))


class AsyncPane(QWidget):
    def __init__(self, session: EngineSession, operations: Operations, message_bar: MessageBar,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.operations = operations
        self.message_bar = message_bar
        self.function_box = FunctionChooser()
        self.function_box.currentTextChanged.connect(lambda _text: self.request_refresh(at_once=True))
        self.configure_button = QPushButton("Configure…")
        self.configure_button.setToolTip("Maximum retries, maximum event age, destinations and the dead-letter queue")
        self.configure_button.clicked.connect(self.configure)
        self.summary = QLabel(summary(AsyncQueueStatistics()))
        self.summary.setWordWrap(True)
        self.config_label = QLabel("")
        self.config_label.setWordWrap(True)
        self.timeline = AsyncTimeline()
        self.table = RecordTable(COLUMNS)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setFont(theme.monospace_font())
        self.details.setPlaceholderText("Select an event: its attempts, and the invocation record its destination "
                                        "received")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Asynchronous queue of"))
        bar.addWidget(self.function_box, 1)
        bar.addWidget(self.configure_button)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.setChildrenCollapsible(False)
        lower.addWidget(self.table)
        lower.addWidget(self.details)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.timeline)
        splitter.addWidget(lower)
        splitter.setSizes([200, 300])   # proportions: the table keeps rows to read in a short dock
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.config_label)
        layout.addWidget(splitter, 1)
        self.views: list[EventView] = []
        self.dialog: AsyncConfigDialog | None = None
        self._deliveries: dict[str, list[str]] = {}
        self._records: dict[str, list[str]] = {}
        self._dirty = True
        self._reading = False
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(TICK_MS)
        self._tick_timer.timeout.connect(self._tick)
        #: Set after each store read is shown (tests wait on it).
        self.refreshed = asyncio.Event()

    # -- engine -> pane ------------------------------------------------------------------------------------
    def set_functions(self, names: list[str]) -> None:
        self.function_box.set_functions(names)
        self._show_config()
        self.request_refresh(at_once=True)

    def show_function(self, name: str) -> None:
        self.function_box.setCurrentText(name)

    @property
    def function(self) -> str | None:
        return self.function_box.function

    def add_events(self, batch: EventBatch) -> None:
        wanted, seen = self.function, False
        for event in batch.asynchronous:
            if isinstance(event, AsyncEventDeadLettered):
                self._note(event.request_id, f"dead-lettered to {_short(event.target)}")
            elif isinstance(event, AsyncDestinationDelivered):
                self._note(event.request_id, f"{event.condition} record sent to {_short(event.target)}")
                self._records.setdefault(event.request_id, []).append(event.record)
            elif isinstance(event, AsyncDeliveryFailed):
                self._note(event.request_id, f"delivery to {_short(event.target)} failed: {event.error}")
            seen = seen or wanted is None or event.function == wanted
        if batch.changes:   # a configuration or the dead-letter queue may have changed, from any face
            self._show_config()
        if seen:
            self.request_refresh()

    def _note(self, request_id: str, text: str) -> None:
        self._deliveries.setdefault(request_id, []).append(text)
        if len(self._deliveries) > DELIVERIES_KEPT:
            for old in list(self._deliveries)[: len(self._deliveries) - DELIVERIES_KEPT]:
                self._deliveries.pop(old, None)
                self._records.pop(old, None)

    def add_statistics(self, statistics: EngineStatistics) -> None:
        wanted = self.function
        parts = [entry.asynchronous for entry in statistics.functions if wanted is None or entry.name == wanted]
        text = summary(add_up(parts))
        if text != self.summary.text():
            self.summary.setText(text)

    def request_refresh(self, at_once: bool = False) -> None:
        """Read the events again soon (coalesced), or now; only while the pane can be seen."""
        self._dirty = True
        if not self.isVisible():
            return
        if at_once:
            self._refresh_timer.stop()
            self.refresh()
        elif not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._tick_timer.start()
        if self._dirty:
            self.request_refresh(at_once=True)

    def refresh(self) -> asyncio.Task[list[QueuedEvent] | None] | None:
        engine = self.session.engine
        if engine is None or self._reading:
            if self._reading:
                self._refresh_timer.start()   # read again once the current read is shown
            return None
        self._dirty = False
        self._reading = True
        function = self.function

        def shown(events: list[QueuedEvent]) -> None:
            self._show(events)

        task = self.operations.run("Read the asynchronous events",
                                   lambda: engine.async_events(function, EVENTS_SHOWN), on_success=shown)
        task.add_done_callback(lambda _t: setattr(self, "_reading", False))
        return task

    def _show(self, events: list[QueuedEvent]) -> None:
        views = [EventView.of(event) for event in events]
        for view in views:
            view.deliveries = list(self._deliveries.get(view.request_id, []))
            view.records = list(self._records.get(view.request_id, []))
        self.views = views
        now = time.time()
        self.timeline.set_events(views, now)
        newest_first = list(reversed(views))
        first_fill = self.table.rowCount() == 0
        self.table.set_rows([self._row(view, now) for view in newest_first], newest_first)
        if first_fill and views:   # the columns fit their first rows; the user's widths are kept after that
            self.table.resizeColumnsToContents()
        self._selection_changed()
        self.refreshed.set()

    @staticmethod
    def _row(view: EventView, now: float) -> tuple[object, ...]:
        return (datetime.fromtimestamp(view.received).strftime("%H:%M:%S.%f")[:-3], view.request_id,
                view.function + (f":{view.qualifier}" if view.qualifier else ""), view.state.value,
                len(view.attempts), view.countdown(now), view.ending())

    def _tick(self) -> None:
        """Countdowns and running bars move; only while an event is still open and the pane is seen."""
        if not self.isVisible():
            self._tick_timer.stop()
            return
        if any(not view.state.finished for view in self.views):
            now = time.time()
            self.timeline.tick(now)
            for row, view in enumerate(reversed(self.views)):
                if view.waiting:
                    item = self.table.item(row, COLUMNS.index("Next attempt"))
                    if item is not None:
                        item.setText(view.countdown(now))

    def selected(self) -> EventView | None:
        view = self.table.payload()
        return view if isinstance(view, EventView) else None

    def select(self, request_id: str) -> None:
        for row in range(self.table.rowCount()):
            view = self.table.payload(row)
            if isinstance(view, EventView) and view.request_id == request_id:
                self.table.selectRow(row)

    def _selection_changed(self) -> None:
        view = self.selected()
        self.timeline.selected = view.request_id if view is not None else None
        self.timeline.update()
        self.details.setPlainText(describe(view) if view is not None else "")

    # -- configuration -----------------------------------------------------------------------------------
    def _show_config(self) -> None:
        engine, function = self.session.engine, self.function
        if engine is None or function is None or not engine.has_function(function):
            self.config_label.setText("")
            self.configure_button.setEnabled(engine is not None and function is not None)
            return
        self.configure_button.setEnabled(True)
        configs = engine.list_function_event_invoke_configs(function)
        dead_letter = engine.function(function).dead_letter_target
        parts = [describe_config(config) for config in configs] or ["defaults (2 retries, 6 h maximum age)"]
        parts.append(f"dead-letter queue {_short(dead_letter)}" if dead_letter else "no dead-letter queue")
        self.config_label.setText("Configuration: " + " · ".join(parts))

    def configure(self) -> asyncio.Task[list[tuple[str, str]] | None] | None:
        """Read the queues, topics and buses there are, then open the form (never exec())."""
        function = self.function
        if function is None:
            self.message_bar.warning("Choose a function to configure its asynchronous invocation")
            return None

        async def targets() -> list[tuple[str, str]]:
            engine = self.session.require()
            endpoint = Endpoint(await engine.services.ensure_started(), engine.settings.region)
            return await asyncio.to_thread(destinations, endpoint)

        return self.operations.run("Read the queues, topics and buses", targets, trigger=self.configure_button,
                                   on_success=lambda found: self._open_dialog(function, found))

    def _open_dialog(self, function: str, targets: list[tuple[str, str]]) -> AsyncConfigDialog:
        engine = self.session.require()
        entry = engine.function_entry(function)
        qualifiers = [LATEST, *sorted(entry.versions, key=lambda v: int(v) if v.isdigit() else 0),
                      *sorted(entry.aliases)]
        functions = [(f"Function {config.name}", engine.function_arn(config.name)) for config in engine.functions()
                     if config.name != function]
        configs = {config.qualifier: config for config in engine.list_function_event_invoke_configs(function)}
        dialog = AsyncConfigDialog(function, qualifiers, configs, engine.function(function).dead_letter_target,
                                   targets + functions, engine.settings.async_delay_scale, self)
        dialog.accepted.connect(lambda: self.apply(function, dialog.settings()))
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def apply(self, function: str, settings: AsyncSettings) -> asyncio.Task[None | None]:
        async def save() -> None:
            engine = self.session.require()
            await engine.put_function_event_invoke_config(
                function, settings.qualifier, maximum_retry_attempts=settings.maximum_retry_attempts,
                maximum_event_age_s=settings.maximum_event_age_s, on_success=settings.on_success,
                on_failure=settings.on_failure)
            if engine.function(function).dead_letter_target != settings.dead_letter:
                await engine.update_function_configuration(function, dead_letter_target=settings.dead_letter)
            self._show_config()
            self.message_bar.info(f"{function}: asynchronous invocation configured ({self.config_label.text()})")

        return self.operations.run(f"Configure the asynchronous invocation of {function}", save)


def _short(arn: str | None) -> str:
    """The name at the end of an ARN ("dlq" of arn:aws:sqs:...:dlq)."""
    if not arn:
        return ""
    return arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1] if arn.startswith("arn:") else arn


def describe_config(config: EventInvokeConfig) -> str:
    retries = 2 if config.maximum_retry_attempts is None else config.maximum_retry_attempts
    age = 21_600 if config.maximum_event_age_s is None else config.maximum_event_age_s
    text = f"{config.qualifier}: {retries} retries, maximum age {age} s"
    if config.on_success:
        text += f", on success → {_short(config.on_success)}"
    if config.on_failure:
        text += f", on failure → {_short(config.on_failure)}"
    return text


def describe(view: EventView) -> str:
    """The selected event in words: its attempts, how it ended, and the records its destinations received."""
    lines = [f"Request {view.request_id} to {view.function}{':' + view.qualifier if view.qualifier else ''}",
             f"Received {datetime.fromtimestamp(view.received).strftime('%H:%M:%S.%f')[:-3]}, state "
             f"{view.state.value}", ""]
    for attempt in view.attempts:
        took = f"{(attempt.ended - attempt.started) * 1000:.0f} ms" if attempt.ended is not None else "running"
        after = attempt.started - view.received
        lines.append(f"Attempt {attempt.number} at +{after:.2f} s: {attempt.outcome} ({took})"
                     + (f" — {attempt.detail}" if attempt.detail else ""))
    if view.waiting:
        lines.append(f"Next attempt at +{view.due - view.received:.2f} s")
    if view.outcome:
        lines.append(f"Outcome: {view.outcome}")
    lines.extend(view.deliveries)
    for record in view.records:
        try:
            pretty = json.dumps(json.loads(record), indent=2)
        except ValueError:
            pretty = record
        lines += ["", "Invocation record delivered:", pretty]
    payload = view.payload.decode("utf-8", "replace")
    lines += ["", f"Event: {payload[:2000]}"]
    return "\n".join(lines)
