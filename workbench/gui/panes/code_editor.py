"""The code editor: one tab per file, Pygments highlighting, line numbers, find (Ctrl+F), and Ctrl+S, which
saves and hot-reloads every function whose code folder holds the file (the template: the whole project).

Other views can be opened as pages among the file tabs (a function's Configuration view): they take the
central area, where there is room for forms and tables, and close like a tab. Tabs are found by their widget,
never by position, since pages and files share the tab bar."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import QMessageBox, QTabWidget, QVBoxLayout, QWidget

from workbench.engine import EnvState
from workbench.gui import theme
from workbench.gui.code_files import functions_owning, handler_file
from workbench.gui.operations import Operations
from workbench.gui.session import EngineSession
from workbench.gui.widgets.code_view import CodeView, FindBar
from workbench.gui.widgets.highlighter import PygmentsHighlighter, lexer_for
from workbench.gui.widgets.message_bar import MessageBar
from workbench.model.function import FunctionConfig


@dataclass(eq=False)
class EditorTab:
    path: Path
    view: CodeView
    highlighter: PygmentsHighlighter

    @property
    def modified(self) -> bool:
        return self.view.document().isModified()


class CodeEditorPane(QWidget):
    #: A file was written and its reload (if any) started: the path.
    saved = Signal(object)
    #: A file is about to be reloaded after the editor wrote it (the watcher must not see an outside edit).
    written = Signal(object)

    def __init__(self, session: EngineSession, operations: Operations, message_bar: MessageBar,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._operations = operations
        self._message_bar = message_bar
        self.tabs_widget = QTabWidget()
        self.tabs_widget.setTabsClosable(True)
        self.tabs_widget.setDocumentMode(True)
        self.tabs_widget.tabCloseRequested.connect(self.request_close)
        self.tabs_widget.currentChanged.connect(self._current_changed)
        self.find_bar = FindBar()
        self.find_bar.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.tabs_widget, 1)
        layout.addWidget(self.find_bar)
        self.tabs: list[EditorTab] = []
        self._point_size: int = theme.BASE_POINT_SIZE
        self._asking: set[EditorTab] = set()
        #: The open "changed on disk" question, if any (tests answer it).
        self.disk_question: QMessageBox | None = None
        self.save_action = QAction("&Save and reload", self)
        self.save_action.setToolTip("Save the file; the function's warm environments are recycled (Ctrl+S)")
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(self.save_current)
        self.find_action = QAction("&Find", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.find_action.triggered.connect(self.find_bar.open_bar)
        self.addAction(self.save_action)
        self.addAction(self.find_action)

    # -- opening ----------------------------------------------------------------------------------------
    @property
    def point_size(self) -> int:
        return self._point_size

    def set_point_size(self, points: int) -> None:
        """The editor font size (Preferences): every open tab and every tab opened later."""
        self._point_size = points
        for tab in self.tabs:
            tab.view.set_point_size(points)

    def current(self) -> EditorTab | None:
        return self._tab_of(self.tabs_widget.currentWidget())

    def _tab_of(self, widget: QWidget | None) -> EditorTab | None:
        return next((tab for tab in self.tabs if tab.view is widget), None)

    def show_page(self, page: QWidget, title: str, tooltip: str = "") -> None:
        """Show ``page`` (not a file) as a tab, adding it first if it is not open, and bring it to the front."""
        index = self.tabs_widget.indexOf(page)
        if index < 0:
            index = self.tabs_widget.addTab(page, title)
        self.tabs_widget.setTabText(index, title)
        self.tabs_widget.setTabToolTip(index, tooltip or title)
        self.tabs_widget.setCurrentIndex(index)

    def retitle_page(self, page: QWidget, title: str) -> None:
        """A page's tab says what it shows now (nothing happens while the page is closed)."""
        index = self.tabs_widget.indexOf(page)
        if index >= 0:
            self.tabs_widget.setTabText(index, title)

    def open_file(self, path: Path, runtime: str | None = None) -> EditorTab:
        path = path.resolve()
        for tab in self.tabs:
            if tab.path == path:
                self.tabs_widget.setCurrentWidget(tab.view)
                return tab
        text = path.read_text(encoding="utf-8", errors="replace")
        view = CodeView()
        view.set_point_size(self._point_size)
        view.setPlainText(text)
        view.document().setModified(False)
        highlighter = PygmentsHighlighter(view.document(), lexer_for(path, text, runtime))
        tab = EditorTab(path, view, highlighter)
        view.document().modificationChanged.connect(lambda _changed, t=tab: self._update_title(t))
        self.tabs.append(tab)
        index = self.tabs_widget.addTab(view, path.name)
        self.tabs_widget.setTabToolTip(index, str(path))
        self.tabs_widget.setCurrentIndex(index)
        return tab

    def open_function(self, config: FunctionConfig) -> EditorTab | None:
        path = handler_file(config)
        if path is None:
            self._message_bar.warning(f"{config.name}: its code is not a folder of files (a ZIP or inline code "
                                      "in the template); open the template to edit it")
            return None
        return self.open_file(path, config.runtime)

    def _update_title(self, tab: EditorTab) -> None:
        index = self.tabs_widget.indexOf(tab.view)
        self.tabs_widget.setTabText(index, ("● " if tab.modified else "") + tab.path.name)

    def _current_changed(self, _index: int) -> None:
        tab = self.current()
        self.find_bar.set_editor(tab.view if tab else None)

    # -- closing ----------------------------------------------------------------------------------------
    def request_close(self, index: int) -> None:
        tab = self._tab_of(self.tabs_widget.widget(index))
        if tab is None:   # a page: it keeps its state and comes back when shown again
            self.tabs_widget.removeTab(index)
            return
        if not tab.modified:
            self._close(tab)
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes", f"Save the changes to {tab.path.name}?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Save:
                if self.save(tab):
                    self._close(tab)
            elif button == QMessageBox.StandardButton.Discard:
                self._close(tab)

        box.finished.connect(answered)
        box.open()   # never exec(): the engine keeps running while the question is open

    def close_saved(self, tab: EditorTab) -> None:
        """Close a tab without unsaved edits (another project opened); a modified tab is asked about."""
        if tab.modified:
            self.request_close(self.tabs_widget.indexOf(tab.view))
        else:
            self._close(tab)

    def _close(self, tab: EditorTab) -> None:
        self.tabs.remove(tab)
        self.tabs_widget.removeTab(self.tabs_widget.indexOf(tab.view))
        tab.view.deleteLater()

    # -- saving -----------------------------------------------------------------------------------------
    def save_current(self) -> None:
        tab = self.current()
        if tab is not None:
            self.save(tab)

    def unsaved(self) -> list[EditorTab]:
        return [tab for tab in self.tabs if tab.modified]

    def write(self, tab: EditorTab) -> bool:
        """Write the tab's text to its file (no reload); errors go to the message bar."""
        try:
            tab.path.write_text(tab.view.toPlainText(), encoding="utf-8")
        except OSError as exc:
            self._message_bar.error(f"Could not save {tab.path}: {exc.strerror}")
            return False
        self.written.emit(tab.path)
        tab.view.document().setModified(False)
        return True

    def save(self, tab: EditorTab) -> bool:
        if not self.write(tab):
            return False
        self.reload_for([tab.path], "Saved")
        self.saved.emit(tab.path)
        return True

    def reload_for(self, paths: list[Path], verb: str) -> None:
        """Hot-reload what ``paths`` belong to: the whole project for the template, else the functions whose
        code folder holds them (each once)."""
        session = self._session
        template = session.project.template_path.resolve()
        if any(path.resolve() == template for path in paths):
            self._operations.run("Reload the project", session.reload_project,
                                 on_success=lambda _: self._message_bar.info(
                                     f"{verb} the template: the project was reloaded and the engine restarted"))
            return
        engine = session.engine
        if engine is None:
            return
        names: list[str] = []
        for path in paths:
            names += [name for name in functions_owning(path, engine.functions()) if name not in names]
        for name in names:
            self._operations.run(f"Reload {name}", functools.partial(self._reload, name, verb))

    async def _reload(self, name: str, verb: str = "Saved") -> None:
        engine = self._session.require()
        stats = next((f for f in engine.statistics().functions if f.name == name), None)
        warm = sum(1 for env in stats.environments if env.state in (EnvState.IDLE, EnvState.FROZEN)) if stats else 0
        version = await engine.reload_code(name)
        recycled = f"{warm} warm environment{'s' if warm != 1 else ''} recycled" if warm else "no warm environment"
        self._message_bar.info(f"{verb} and reloaded {name} (revision {version.revision}): {recycled}; the next "
                               "invocation cold-starts on the new code")

    # -- outside edits ----------------------------------------------------------------------------------
    def files_changed_outside(self, paths: list[Path]) -> None:
        """Files changed by another program: reload what they belong to, and bring open tabs up to date
        (a tab with unsaved edits asks first; replacing text is one undo step, so nothing is lost)."""
        for path in paths:
            tab = next((t for t in self.tabs if t.path == path.resolve()), None)
            if tab is not None:
                self._sync_tab(tab)
        self.reload_for(paths, "Changed outside the workbench:")

    def _sync_tab(self, tab: EditorTab) -> None:
        try:
            text = tab.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            self._message_bar.warning(f"{tab.path} was removed outside the workbench; its tab keeps the text "
                                      "(save to write it again)")
            tab.view.document().setModified(True)
            return
        if text == tab.view.toPlainText():
            tab.view.document().setModified(False)
            return
        if not tab.modified:
            self._replace_text(tab, text)
            return
        if tab in self._asking:
            return
        self._asking.add(tab)
        box = QMessageBox(QMessageBox.Icon.Question, "Changed on disk",
                          f"{tab.path.name} was changed outside the workbench, and its tab has unsaved edits.\n"
                          "Reload it from disk (your edits stay one Undo away) or keep your edits?", parent=self)
        reload_button = box.addButton("Reload from disk", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Keep my edits", QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.disk_question = box

        def answered(_result: int) -> None:
            self._asking.discard(tab)
            self.disk_question = None
            if box.clickedButton() is reload_button and tab in self.tabs:
                try:
                    self._replace_text(tab, tab.path.read_text(encoding="utf-8", errors="replace"))
                except OSError as exc:
                    self._message_bar.error(f"Could not read {tab.path}: {exc.strerror}")

        box.finished.connect(answered)
        box.open()

    @staticmethod
    def _replace_text(tab: EditorTab, text: str) -> None:
        """Replace the whole text as one undoable edit, keeping the cursor's line and the scroll position."""
        view = tab.view
        line, column = view.textCursor().blockNumber(), view.textCursor().positionInBlock()
        scroll = view.verticalScrollBar().value()
        cursor = QTextCursor(view.document())
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        block = view.document().findBlockByNumber(min(line, view.document().blockCount() - 1))
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.Right, n=min(column, max(0, block.length() - 1)))
        view.setTextCursor(cursor)
        view.verticalScrollBar().setValue(scroll)
        view.document().setModified(False)
