"""Triggers: every event source mapping with its live state (last batch size and result, batches in flight,
backlog or iterator age, filtered records, failures sent to the destination), the batches as they are
delivered (with their size), and add / edit / enable-disable / delete.

Live values come from the engine's statistics snapshots and its MappingBatchProcessed events, through the
bridge; changes go through the window's awaited operations, so the engine's errors (AWS's messages) land in
the message bar.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.engine import (
    EngineStatistics,
    MappingBatchProcessed,
    MappingOptions,
    MappingRecordsDiscarded,
    MappingStatistics,
    MappingView,
)
from workbench.gui.bridge import EventBatch
from workbench.gui.models.batches import source_name
from workbench.gui.operations import Operations
from workbench.gui.panes.triggers.mapping_dialog import MappingDialog
from workbench.gui.session import EngineSession
from workbench.gui.widgets.function_chooser import FunctionChooser
from workbench.gui.widgets.message_bar import MessageBar
from workbench.gui.widgets.record_table import RecordTable
from workbench.services.browser import Endpoint, event_sources

#: Recent batches kept on screen.
RECENT_BATCHES = 200
COLUMNS = ("Function", "Source", "State", "Batch size", "Last batch", "Last result", "In flight", "Backlog / age",
           "Filtered", "To destination", "Batches", "Records", "Failed batches")


def behind(statistics: MappingStatistics) -> str:
    if statistics.backlog is not None:
        return f"{statistics.backlog} waiting"
    if statistics.iterator_age_s is not None:
        return f"{statistics.iterator_age_s * 1000:.0f} ms behind"
    return ""


class TriggersPane(QWidget):
    def __init__(self, session: EngineSession, operations: Operations, message_bar: MessageBar,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.operations = operations
        self.message_bar = message_bar
        self.function_box = FunctionChooser()
        self.function_box.currentTextChanged.connect(lambda _text: self.refresh())
        self.table = RecordTable(COLUMNS)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit())
        self.batches = RecordTable(("Time", "Function", "Source", "Shard", "Size", "Result", "Failed"))
        self.add_button = QPushButton("Add…")
        self.edit_button = QPushButton("Edit…")
        self.toggle_button = QPushButton("Disable")
        self.delete_button = QPushButton("Delete")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.toggle_button.clicked.connect(self.toggle)
        self.delete_button.clicked.connect(self.delete)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Triggers of"))
        bar.addWidget(self.function_box, 1)
        # The buttons on a row of their own: the pane fits beside the Configuration view's section list.
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.toggle_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(QLabel("Batches as they are delivered"))
        lower_layout.addWidget(self.batches)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self.views: list[MappingView] = []
        self.dialog: MappingDialog | None = None
        self._statistics: dict[str, MappingStatistics] = {}
        self._batch_rows: list[tuple[object, ...]] = []
        self._selection_changed()

    # -- engine -> pane --------------------------------------------------------------------------------------
    def set_functions(self, names: list[str]) -> None:
        self.function_box.set_functions(names)
        self.refresh()

    def show_function(self, name: str) -> None:
        self.function_box.setCurrentText(name)

    def refresh(self) -> None:
        """Read the mappings again (cheap: the engine keeps them in memory)."""
        engine = self.session.engine
        function = self.function_box.function
        self.views = [] if engine is None else [
            view for view in engine.list_event_source_mappings() if function in (None, view.config.function)]
        self._render()

    def add_statistics(self, statistics: EngineStatistics) -> None:
        self._statistics = {entry.uuid: entry for entry in statistics.event_source_mappings}
        if set(self._statistics) != {view.config.uuid for view in self.views} or self.isVisible():
            self.refresh()

    def add_events(self, batch: EventBatch) -> None:
        added = False
        for event in batch.events:
            if isinstance(event, MappingBatchProcessed):
                self._batch_rows.append((_clock(event.timestamp), event.function, source_name(event.source_arn),
                                         event.shard or "", event.size, event.result, event.failed))
                added = True
            elif isinstance(event, MappingRecordsDiscarded):
                self._batch_rows.append((_clock(event.timestamp), "", event.condition, event.shard, event.count,
                                         f"discarded → {event.destination or 'nowhere'}", event.count))
                added = True
        if added:
            del self._batch_rows[:-RECENT_BATCHES]
            self.batches.set_rows(list(reversed(self._batch_rows)))

    def _render(self) -> None:
        rows = []
        for view in self.views:
            config, live = view.config, self._statistics.get(view.config.uuid)
            state = live.state if live is not None else view.state.value
            rows.append((config.function + (f":{config.qualifier}" if config.qualifier else ""),
                         source_name(config.source_arn), state, config.batch_size,
                         live.last_batch_size if live else "", live.last_result if live else view.last_result,
                         live.in_flight_batches if live else "", behind(live) if live else "",
                         live.filtered_out if live else "", live.sent_to_destinations if live else "",
                         live.batches if live else "", live.records if live else "",
                         live.failed_batches if live else ""))
        self.table.set_rows(rows, self.views)
        self._selection_changed()

    def selected(self) -> MappingView | None:
        view = self.table.payload()
        return view if isinstance(view, MappingView) else None

    def select(self, uuid: str) -> None:
        for row, view in enumerate(self.views):
            if view.config.uuid == uuid:
                self.table.selectRow(row)

    def _selection_changed(self) -> None:
        view = self.selected()
        for button in (self.edit_button, self.toggle_button, self.delete_button):
            button.setEnabled(view is not None)
        self.toggle_button.setText("Enable" if view is not None and not view.config.enabled else "Disable")

    # -- pane -> engine --------------------------------------------------------------------------------------
    def add(self) -> asyncio.Task[list[tuple[str, str]] | None]:
        """Read what can be polled, then open the dialog (never exec(): the engine keeps running)."""
        async def sources() -> list[tuple[str, str]]:
            engine = self.session.require()
            endpoint = Endpoint(await engine.services.ensure_started(), engine.settings.region)
            return await asyncio.to_thread(event_sources, endpoint)

        return self.operations.run("Read the queues and streams", sources, trigger=self.add_button,
                                   on_success=lambda found: self._open_dialog(found, None))

    def edit(self) -> None:
        view = self.selected()
        if view is not None:
            self._open_dialog([], view)

    def _open_dialog(self, sources: list[tuple[str, str]], view: MappingView | None) -> None:
        engine = self.session.engine
        names = [config.name for config in engine.functions()] if engine is not None else []
        dialog = MappingDialog(names, sources, view.config if view is not None else None, self)
        if view is None and self.function_box.function is not None:
            dialog.function.setCurrentText(self.function_box.function)
        dialog.accepted.connect(lambda: self._dialog_accepted(dialog, view))
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _dialog_accepted(self, dialog: MappingDialog, view: MappingView | None) -> None:
        function, options = dialog.function.currentText(), dialog.options()
        if view is None:
            source = dialog.source_arn()
            self.operations.run(f"Add a trigger from {source_name(source)}",
                                lambda: self.session.require().create_event_source_mapping(function, source, options),
                                on_success=lambda created: self._changed(created.config.uuid))
        else:
            uuid = view.config.uuid
            self.operations.run(f"Update the trigger {uuid}",
                                lambda: self.session.require().update_event_source_mapping(uuid, function, options),
                                on_success=lambda _updated: self._changed(uuid))

    def toggle(self) -> None:
        view = self.selected()
        if view is None:
            return
        uuid, enabled = view.config.uuid, not view.config.enabled
        self.operations.run(f"{'Enable' if enabled else 'Disable'} the trigger {uuid}",
                            lambda: self.session.require().update_event_source_mapping(
                                uuid, None, MappingOptions(enabled=enabled)),
                            trigger=self.toggle_button, on_success=lambda _updated: self._changed(uuid))

    def delete(self) -> None:
        view = self.selected()
        if view is None:
            return
        uuid = view.config.uuid
        self.operations.run(f"Delete the trigger {uuid}",
                            lambda: self.session.require().delete_event_source_mapping(uuid),
                            trigger=self.delete_button, on_success=lambda _deleted: self.refresh())

    def _changed(self, uuid: str) -> None:
        self.refresh()
        self.select(uuid)


def _clock(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%H:%M:%S.%f")[:-3]
