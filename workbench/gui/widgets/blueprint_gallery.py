"""The blueprint gallery of the New function form: a search field and a runtime filter over the blueprints, and
a preview of the chosen one — its handler's code, highlighted, and its presets (runtime, memory, timeout,
environment, the resources and triggers it adds, its sample events). "From scratch" is always the first entry."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.catalog.blueprints import CODE_FOLDER, Blueprint
from workbench.gui import theme
from workbench.gui.widgets.highlighter import PygmentsHighlighter, lexer_for

FROM_SCRATCH = "From scratch"
ALL_RUNTIMES = "All runtimes"
#: The preview shows at most this much of a handler file.
PREVIEW_MAX = 20_000


def handler_file(blueprint: Blueprint) -> Path | None:
    """The file the blueprint's handler names ("app.handler" → src/app.py, or .js/.mjs for Node.js)."""
    module = blueprint.handler.rsplit(".", 1)[0]
    for suffix in (".py", ".mjs", ".js", ".cjs", ".rb"):
        candidate = blueprint.folder / CODE_FOLDER / f"{module}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def presets(blueprint: Blueprint) -> str:
    """The blueprint's configuration in words: what the New function form will write into the template."""
    lines = [blueprint.title, "", blueprint.description, "",
             f"Runtime      {blueprint.runtime}", f"Handler      {blueprint.handler}",
             f"Memory       {blueprint.memory} MB", f"Timeout      {blueprint.timeout} s"]
    if blueprint.environment:
        lines.append(f"Environment  {json.dumps(dict(blueprint.environment))}")
    for title, entries in (("Resources it adds", blueprint.resources), ("Triggers", blueprint.triggers)):
        if entries:
            lines += ["", f"{title}:"] + [f"  {name}: {value.get('Type')}" for name, value in entries.items()]
    if blueprint.sample_events:
        lines += ["", "Sample events:"] + [f"  {event.name}" for event in blueprint.sample_events]
    if blueprint.tags:
        lines += ["", "Tags: " + ", ".join(blueprint.tags)]
    return "\n".join(lines)


class BlueprintGallery(QWidget):
    #: The chosen blueprint (None: from scratch).
    chosen = Signal(object)

    def __init__(self, blueprints: list[Blueprint], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.blueprints = {blueprint.name: blueprint for blueprint in blueprints}
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the blueprints (name, title, description, tags)")
        self.search.setClearButtonEnabled(True)
        self.runtime = QComboBox()
        self.runtime.addItem(ALL_RUNTIMES)
        for family in sorted({blueprint.language for blueprint in blueprints}):
            self.runtime.addItem(family)
        self.list = QListWidget()
        self.list.setWordWrap(True)   # a blueprint's title is a sentence: wrapped, not cut
        self.code = QPlainTextEdit()
        self.code.setReadOnly(True)
        self.code.setFont(theme.monospace_font())
        self.code.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.presets = QPlainTextEdit()
        self.presets.setReadOnly(True)
        self.preview = QTabWidget()
        self.preview.addTab(self.presets, "Presets")
        self.preview.addTab(self.code, "Code")
        self._highlighter: PygmentsHighlighter | None = None
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.runtime)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(self.preview)
        splitter.setSizes([330, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        self.search.textChanged.connect(lambda _text: self._fill())
        self.runtime.currentTextChanged.connect(lambda _text: self._fill())
        self.list.currentItemChanged.connect(lambda _current, _previous: self._changed())
        self._fill()

    @property
    def blueprint(self) -> Blueprint | None:
        item = self.list.currentItem()
        name = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return self.blueprints.get(name) if isinstance(name, str) else None

    def shown(self) -> list[str]:
        """The blueprints the filters let through, in the list's order."""
        return [name for row in range(self.list.count())
                if isinstance(name := self.list.item(row).data(Qt.ItemDataRole.UserRole), str)]

    def choose(self, name: str | None) -> None:
        """Select the blueprint ``name`` (None: from scratch), clearing the filters if they hide it."""
        if name is not None and name not in self.shown():
            self.search.clear()
            self.runtime.setCurrentText(ALL_RUNTIMES)
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(row)

    def matches(self, blueprint: Blueprint) -> bool:
        words = self.search.text().lower().split()
        text = " ".join([blueprint.name, blueprint.title, blueprint.description, *blueprint.tags]).lower()
        family = self.runtime.currentText()
        return all(word in text for word in words) and family in (ALL_RUNTIMES, blueprint.language)

    def _fill(self) -> None:
        current = self.blueprint
        self.list.blockSignals(True)
        self.list.clear()
        scratch = QListWidgetItem(FROM_SCRATCH)
        scratch.setData(Qt.ItemDataRole.UserRole, None)
        self.list.addItem(scratch)
        for blueprint in self.blueprints.values():
            if self.matches(blueprint):
                item = QListWidgetItem(f"{blueprint.title}\n{blueprint.name} · {blueprint.runtime}")
                item.setData(Qt.ItemDataRole.UserRole, blueprint.name)
                item.setToolTip(blueprint.description)
                self.list.addItem(item)
        self.list.blockSignals(False)
        names = self.shown()
        self.list.setCurrentRow(names.index(current.name) + 1 if current is not None and current.name in names else 0)
        self._changed()

    def _changed(self) -> None:
        blueprint = self.blueprint
        if blueprint is None:
            self.presets.setPlainText("Start from a starter handler: choose the runtime, handler, memory and timeout "
                                      "below.")
            self.code.setPlainText("")
        else:
            self.presets.setPlainText(presets(blueprint))
            path = handler_file(blueprint)
            text = path.read_text(errors="replace")[:PREVIEW_MAX] if path is not None else "(no handler file found)"
            if self._highlighter is not None:   # one highlighter on the preview at a time
                self._highlighter.setDocument(None)
                self._highlighter.deleteLater()
            self.code.setPlainText(text)
            self._highlighter = PygmentsHighlighter(self.code.document(), lexer_for(path, text, blueprint.runtime))
        self.chosen.emit(blueprint)
