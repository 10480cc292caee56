"""A function's Configuration view, as in the Lambda console's Configuration tab: a list of sections beside
their pages (general settings, environment, concurrency, layers, versions and aliases, asynchronous invocation,
triggers and the code folder's files), over a function's $LATEST — editable — or one published version — read
only.

The window shows it as a page among the code editor's tabs (the central area has the room forms and tables
need at 1280x800). The Asynchronous and Triggers tabs follow the function the view is on, and can still be
switched to "All functions" (they watch the queue and the pollers live); they work before any function is
chosen, the other tabs wait for one.

Every change is one awaited façade call through `Operations` (errors go to the message bar). The view
follows the engine: catalogue changes reload the lists (versions, aliases, provisioned concurrency) and
`ProvisionedConcurrencyChanged` events move a provisioned row's status IN_PROGRESS → READY as it happens.
The forms (general, environment, layers) are reloaded only when the view opens on a function or after its
own save succeeded, so an edit in progress is never overwritten by someone else's change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.engine import Engine, FunctionEntry, ProvisionedConcurrencyChanged
from workbench.gui.bridge import EventBatch
from workbench.gui.code_files import code_folder
from workbench.gui.operations import Operations
from workbench.gui.panes.asynchronous.async_pane import AsyncPane
from workbench.gui.panes.configuration.aliases import AliasesTab, ConcurrencyTab
from workbench.gui.panes.configuration.files import FilesTab
from workbench.gui.panes.configuration.general import EnvironmentTab, GeneralTab, LayersTab
from workbench.gui.panes.triggers.triggers_pane import TriggersPane
from workbench.gui.session import EngineSession
from workbench.gui.widgets.message_bar import MessageBar
from workbench.gui.widgets.scrolling import scrolling
from workbench.model.arn import LATEST

#: One line each (the central area is short at 1280x800); the tooltip says the rest.
TEMPLATE_NOTE = "{name} is declared in the template: changes made here last until the engine stops."
TEMPLATE_DETAIL = ("The template is applied again at every start; edit template.yaml to keep a change. Published "
                   "versions, aliases and concurrency settings the template does not make are kept.")
API_NOTE = "{name} was created through the API: changes made here are kept in the project's .workbench/ folder."
VERSION_NOTE = "Version {qualifier} of {name} is published: its configuration is immutable (read only)."
NO_FUNCTION = "Choose “Configuration…” on a function in the Functions pane."


class ConfigurationPane(QWidget):
    #: A file of the code folder was double-clicked: open it in the code editor.
    open_file_requested = Signal(object)
    #: The function or version shown changed: the view's tab title (see `tab_title`).
    title_changed = Signal(str)

    def __init__(self, session: EngineSession, operations: Operations, message_bar: MessageBar,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._operations = operations
        self._message_bar = message_bar
        self.function: str | None = None
        self.qualifier: str = LATEST
        self.title = QLabel(NO_FUNCTION)
        self.title.setWordWrap(True)
        # The sections are a list on the left, as in the Lambda console: eight tab titles side by side do not
        # fit beside the code at 1280x800, a list of eight short rows does.
        self.pages = QStackedWidget()
        self.sections = QListWidget()
        self.sections.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.general = GeneralTab()
        self.environment = EnvironmentTab()
        self.concurrency = ConcurrencyTab()
        self.layers = LayersTab()
        self.aliases = AliasesTab()
        self.files = FilesTab(message_bar)
        self.asynchronous = AsyncPane(session, operations, message_bar)
        self.triggers = TriggersPane(session, operations, message_bar)
        #: The tabs about one function's settings (disabled until a function is chosen).
        self._pages: dict[QWidget, QWidget] = {}
        self.function_tabs: tuple[QWidget, ...] = (self.general, self.environment, self.concurrency, self.layers,
                                                   self.aliases, self.files)
        for tab, label, tip in ((self.general, "General", "Memory, timeout, ephemeral storage, description, "
                                 "architecture"),
                                (self.environment, "Environment", "Environment variables"),
                                (self.concurrency, "Concurrency", "Reserved and provisioned concurrency"),
                                (self.layers, "Layers", "Layer versions, in order"),
                                (self.aliases, "Versions and aliases", "Published versions, and aliases with "
                                 "their routing weights"),
                                (self.asynchronous, "Asynchronous", "Asynchronous invocation: the queue, every "
                                 "event's attempts, retries, destinations and the dead-letter queue"),
                                (self.triggers, "Triggers", "Event source mappings: the queues and streams that "
                                 "invoke the function"),
                                (self.files, "Files", "The code folder's files")):
            # The live tables scroll inside their tab when it is short, instead of making every tab as tall.
            page = scrolling(tab) if tab in (self.asynchronous, self.triggers) else tab
            self._pages[tab] = page
            self.pages.addWidget(page)
            item = QListWidgetItem(label)
            item.setToolTip(tip)
            self.sections.addItem(item)
        self.sections.setFixedWidth(self.sections.sizeHintForColumn(0) + 2 * self.sections.frameWidth() + 12)
        self.sections.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.pages.currentChanged.connect(self.sections.setCurrentRow)
        self.sections.setCurrentRow(0)
        self.note = QLabel()
        self.note.setWordWrap(True)
        body = QHBoxLayout()
        body.addWidget(self.sections)
        body.addWidget(self.pages, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addLayout(body, 1)
        self._enable_function_tabs(False)
        self.general.save.clicked.connect(lambda: self._update("general settings", self.general.changes(),
                                                               self.general.save))
        self.environment.save.clicked.connect(
            lambda: self._update("environment variables", {"environment": self.environment.variables()},
                                 self.environment.save))
        self.layers.save.clicked.connect(lambda: self._update("layers", {"layers": self.layers.arns()},
                                                              self.layers.save))
        self.concurrency.set_reserved.clicked.connect(self.put_reserved)
        self.concurrency.clear_reserved.clicked.connect(self.delete_reserved)
        self.concurrency.set_provisioned.clicked.connect(self.put_provisioned)
        self.concurrency.clear_provisioned.clicked.connect(self.delete_provisioned)
        self.aliases.update_button.clicked.connect(self.update_alias)
        self.aliases.delete_button.clicked.connect(self.confirm_delete_alias)
        self.files.open_requested.connect(self.open_file_requested.emit)
        #: The open "delete this alias?" question (tests answer it).
        self.question: QMessageBox | None = None

    # -- what is shown ----------------------------------------------------------------------------------
    @property
    def editable(self) -> bool:
        return self.qualifier == LATEST

    def _enable_function_tabs(self, enabled: bool) -> None:
        for tab in self.function_tabs:
            tab.setEnabled(enabled)
            item = self.sections.item(self.pages.indexOf(tab))
            flags = item.flags()
            item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled if enabled else flags & ~Qt.ItemFlag.ItemIsEnabled)
        if not enabled and self.pages.currentWidget() in self.function_tabs:
            self.show_tab(self.asynchronous)

    def show_tab(self, tab: QWidget) -> None:
        """Bring one section to the front (e.g. ``view.asynchronous``)."""
        self.pages.setCurrentWidget(self._pages[tab])

    def current_tab(self) -> QWidget:
        page = self.pages.currentWidget()
        return next(tab for tab, held in self._pages.items() if held is page)

    def show_function(self, function: str, qualifier: str | None = None) -> None:
        """Open the view on ``function`` ($LATEST, editable) or one of its versions or aliases (read only:
        an alias shows the version it points to)."""
        engine = self._session.require()
        entry = engine.function_entry(function)
        qualifier = qualifier or LATEST
        if qualifier in entry.aliases:
            qualifier = entry.aliases[qualifier].function_version
        self.function, self.qualifier = entry.name, qualifier
        config = (entry.latest if qualifier == LATEST else entry.versions[qualifier]).config
        for tab in (self.general, self.environment, self.layers):
            tab.load(config)
            tab.set_editable(self.editable)
        self.concurrency.set_editable(self.editable)
        self.aliases.set_editable(self.editable)
        self.title.setText(f"<b>{entry.name}</b> — {'$LATEST' if self.editable else 'version ' + qualifier} "
                           f"({config.runtime}, {config.handler})")
        self.note.setText((TEMPLATE_NOTE if entry.source == "template" else API_NOTE).format(name=entry.name)
                          if self.editable else VERSION_NOTE.format(name=entry.name, qualifier=qualifier))
        self.note.setToolTip(TEMPLATE_DETAIL if self.editable and entry.source == "template" else "")
        self.files.set_root(code_folder(config) if self.editable else None)
        was_enabled = self.general.isEnabled()
        self._enable_function_tabs(True)
        if not was_enabled:
            self.show_tab(self.general)
        self.asynchronous.show_function(entry.name)
        self.triggers.show_function(entry.name)
        self._reload_lists(engine, entry)
        self.title_changed.emit(self.tab_title)

    def _reload_lists(self, engine: Engine, entry: FunctionEntry) -> None:
        qualifiers = sorted(entry.versions, key=lambda v: int(v) if v.isdigit() else 0) + sorted(entry.aliases)
        self.concurrency.load(engine.function_concurrency(entry.name), engine.provisioned_concurrency(entry.name),
                              qualifiers)
        self.aliases.load(entry)

    def clear(self) -> None:
        self.function = None
        self._enable_function_tabs(False)
        self.files.set_root(None)
        self.title.setText(NO_FUNCTION)
        self.note.clear()
        self.note.setToolTip("")
        self.title_changed.emit(self.tab_title)

    @property
    def tab_title(self) -> str:
        """The title of the view's tab among the code editor's."""
        if self.function is None:
            return "Configuration"
        return f"Configuration: {self.function}" + ("" if self.editable else f":{self.qualifier}")

    def add_events(self, batch: EventBatch) -> None:
        self.asynchronous.add_events(batch)
        self.triggers.add_events(batch)
        if self.function is None:
            return
        for event in batch.events:
            if isinstance(event, ProvisionedConcurrencyChanged) and event.function == self.function:
                self.concurrency.show_status(event.qualifier, event.requested, event.allocated, event.status)
        if any(change.name == self.function for change in batch.changes):
            self.catalogue_changed()

    def catalogue_changed(self) -> None:
        engine = self._session.engine
        if self.function is None or engine is None:
            return
        if not engine.has_function(self.function):
            self.clear()   # deleted (from any face)
            return
        entry = engine.function_entry(self.function)
        if self.qualifier != LATEST and self.qualifier not in entry.versions:
            self.clear()
            return
        self._reload_lists(engine, entry)

    # -- changes ----------------------------------------------------------------------------------------
    def _run(self, description: str, work: Callable[[], Awaitable[Any]], trigger: QWidget,
             done: Callable[[], None]) -> None:
        function = self.function
        if function is None:
            return

        def succeeded(_result: object) -> None:
            if self.function == function:
                done()

        self._operations.run(f"{description} of {function}", work, trigger=trigger, on_success=succeeded)

    def _update(self, what: str, changes: dict[str, Any], trigger: QWidget) -> None:
        function = self.function

        def done() -> None:
            self._message_bar.info(f"{function}: {what} saved")
            self.show_function(function or "")

        self._run(f"Save the {what}", lambda: self._session.require().update_function_configuration(
            function or "", **changes), trigger, done)

    def put_reserved(self) -> None:
        function, value = self.function or "", self.concurrency.reserved.value()
        self._run("Reserve concurrency", lambda: self._session.require().put_function_concurrency(function, value),
                  self.concurrency.set_reserved, self.catalogue_changed)

    def delete_reserved(self) -> None:
        function = self.function or ""
        self._run("Remove the reserved concurrency",
                  lambda: self._session.require().delete_function_concurrency(function),
                  self.concurrency.clear_reserved, self.catalogue_changed)

    def put_provisioned(self) -> None:
        function, qualifier, count = self.function or "", self.concurrency.qualifier.currentText(), \
            self.concurrency.count.value()
        self._run("Provision concurrency",
                  lambda: self._session.require().put_provisioned_concurrency(function, qualifier, count),
                  self.concurrency.set_provisioned, self.catalogue_changed)

    def delete_provisioned(self) -> None:
        function, qualifier = self.function or "", self.concurrency.selected_provisioned()
        if qualifier is None:
            return
        self._run(f"Remove the provisioned concurrency of {qualifier}",
                  lambda: self._session.require().delete_provisioned_concurrency(function, qualifier),
                  self.concurrency.clear_provisioned, self.catalogue_changed)

    def update_alias(self) -> None:
        function, alias = self.function or "", self.aliases.selected_alias()
        if alias is None:
            return
        version, weights = self.aliases.version.currentText(), self.aliases.weights()

        def done() -> None:
            self._message_bar.info(f"{function}:{alias} → {version}" + "".join(
                f" ({extra}: {weight:.0%})" for extra, weight in weights.items()))
            self.catalogue_changed()

        self._run(f"Update the alias {alias}", lambda: self._session.require().update_alias(
            function, alias, version, additional_weights=weights), self.aliases.update_button, done)

    def confirm_delete_alias(self) -> QMessageBox | None:
        function, alias = self.function, self.aliases.selected_alias()
        if function is None or alias is None:
            return None
        question = QMessageBox(QMessageBox.Icon.Question, "Delete alias",
                               f"Delete the alias {function}:{alias}? Callers using it will get "
                               "ResourceNotFoundException.",
                               QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        question.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self._run(f"Delete the alias {alias}",
                          lambda: self._session.require().delete_alias(function, alias), self.aliases.delete_button,
                          self.catalogue_changed)

        question.finished.connect(answered)
        self.question = question
        question.open()
        return question

    def folder(self) -> Path | None:
        return self.files.root

