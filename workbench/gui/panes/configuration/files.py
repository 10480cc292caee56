"""A function's code folder as a file tree: New file, Rename, Delete (after a confirmation), double-click
opens the file in the code editor.

Every name the user types is checked to stay inside the folder (no `..`, no absolute path, no symlink
leading out): a name that would leave it is refused with a message, and nothing outside is ever touched.
Questions and forms are opened with `open()`, never exec'd, so the event loop keeps running.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QFileSystemModel,
    QHBoxLayout,
    QInputDialog,
    QMessageBox,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.widgets.message_bar import MessageBar


class OutsideFolderError(ValueError):
    """A name that would reach outside the function's code folder."""


def inside(root: Path, name: str) -> Path:
    """``root / name`` resolved, or OutsideFolderError when it is not strictly inside ``root``."""
    if not name.strip() or Path(name).is_absolute():
        raise OutsideFolderError(f"“{name}” is not a file name inside {root.name}/")
    base = root.resolve()
    target = (base / name).resolve()
    if target == base or not target.is_relative_to(base):
        raise OutsideFolderError(f"“{name}” is outside the function's code folder {root.name}/")
    return target


class FilesTab(QWidget):
    #: A file was double-clicked (its Path).
    open_requested = Signal(object)

    def __init__(self, message_bar: MessageBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._message_bar = message_bar
        self.root: Path | None = None
        self.model = QFileSystemModel(self)
        self.model.setReadOnly(True)   # renames and deletes go through the checked actions below
        self.view = QTreeView()
        self.view.setModel(self.model)
        for column in (1, 2, 3):
            self.view.hideColumn(column)
        self.view.setHeaderHidden(True)
        self.view.doubleClicked.connect(self._double_clicked)
        self.new_file = QPushButton("&New file…")
        self.rename = QPushButton("&Rename…")
        self.delete = QPushButton("&Delete…")
        self.new_file.clicked.connect(self.ask_new_file)
        self.rename.clicked.connect(self.ask_rename)
        self.delete.clicked.connect(self.ask_delete)
        buttons = QHBoxLayout()
        for button in (self.new_file, self.rename, self.delete):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        #: The form or question currently open (tests fill it in and answer it).
        self.dialog: QInputDialog | QMessageBox | None = None
        self.set_root(None)

    def set_root(self, folder: Path | None) -> None:
        """Show ``folder`` (None: the function has no code folder, e.g. inline code or a ZIP)."""
        self.root = folder.resolve() if folder is not None else None
        for widget in (self.view, self.new_file, self.rename, self.delete):
            widget.setEnabled(self.root is not None)
        if self.root is None:
            self.view.setRootIndex(QModelIndex())
            self.model.setRootPath("")
            return
        self.view.setRootIndex(self.model.setRootPath(str(self.root)))

    def selected(self) -> Path | None:
        index = self.view.currentIndex()
        if self.root is None or not index.isValid():
            return None
        path = Path(self.model.filePath(index)).resolve()
        return path if path.is_relative_to(self.root) and path != self.root else None

    def select(self, path: Path) -> None:
        self.view.setCurrentIndex(self.model.index(str(path)))

    def _double_clicked(self, index: QModelIndex) -> None:
        path = Path(self.model.filePath(index))
        if path.is_file():
            self.open_requested.emit(path)

    def _ask(self, title: str, label: str, text: str, apply: object) -> QInputDialog:
        dialog = QInputDialog(self)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setTextValue(text)
        dialog.textValueSelected.connect(apply)
        self.dialog = dialog
        dialog.open()
        return dialog

    # -- new file ---------------------------------------------------------------------------------------
    def ask_new_file(self) -> QInputDialog | None:
        if self.root is None:
            return None
        selected = self.selected()
        folder = selected if selected is not None and selected.is_dir() else (
            selected.parent if selected is not None else self.root)
        prefix = folder.relative_to(self.root).as_posix() + "/" if folder != self.root else ""
        return self._ask("New file", f"File name (inside {self.root.name}/):", prefix, self.create_file)

    def create_file(self, name: str) -> Path | None:
        try:
            target = inside(self._require_root(), name)
            if target.exists():
                raise OutsideFolderError(f"{target.name} exists already")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch(exist_ok=False)
        except (OSError, OutsideFolderError) as exc:
            self._message_bar.error(f"New file failed — {exc}")
            return None
        self._message_bar.info(f"Created {target.relative_to(self._require_root()).as_posix()}")
        self.open_requested.emit(target)
        return target

    # -- rename -----------------------------------------------------------------------------------------
    def ask_rename(self) -> QInputDialog | None:
        path = self.selected()
        if path is None or self.root is None:
            return None
        return self._ask("Rename", f"New name for {path.name}:", path.relative_to(self.root).as_posix(),
                         lambda name: self.rename_to(path, name))

    def rename_to(self, path: Path, name: str) -> Path | None:
        try:
            root = self._require_root()
            source = inside(root, path.relative_to(root).as_posix())
            target = inside(root, name)
            if target.exists():
                raise OutsideFolderError(f"{name} exists already")
            target.parent.mkdir(parents=True, exist_ok=True)
            source.rename(target)
        except (OSError, ValueError) as exc:
            self._message_bar.error(f"Rename failed — {exc}")
            return None
        self._message_bar.info(f"Renamed {path.name} to {target.relative_to(root).as_posix()}")
        return target

    # -- delete -----------------------------------------------------------------------------------------
    def ask_delete(self) -> QMessageBox | None:
        path = self.selected()
        if path is None:
            return None
        what = "the folder" if path.is_dir() else "the file"
        question = QMessageBox(QMessageBox.Icon.Warning, "Delete",
                               f"Delete {what} {path.name}? This cannot be undone.",
                               QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        question.setDefaultButton(QMessageBox.StandardButton.Cancel)
        question.finished.connect(lambda button: button == QMessageBox.StandardButton.Yes and self.remove(path))
        self.dialog = question
        question.open()
        return question

    def remove(self, path: Path) -> bool:
        try:
            root = self._require_root()
            target = inside(root, path.relative_to(root).as_posix())
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                target.unlink()
        except (OSError, ValueError) as exc:
            self._message_bar.error(f"Delete failed — {exc}")
            return False
        self._message_bar.info(f"Deleted {path.name}")
        return True

    def _require_root(self) -> Path:
        if self.root is None:
            raise OutsideFolderError("the function has no code folder")
        return self.root
