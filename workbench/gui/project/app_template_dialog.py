"""New project → from an application template: the templates (functions, runtime, what each is for), the
template.yaml it starts with, and the folder to create. Accepting makes the project a git repository with its
bare `origin` beside it (workbench.catalog, the same code as `workbench init --app-template`), so every push runs
the pipeline. Shown with `open()`; the caller reads the values when it is accepted."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.catalog.apptemplates import FILES, AppTemplate
from workbench.gui import theme


class AppTemplateDialog(QDialog):
    def __init__(self, templates: list[AppTemplate], start_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New project from an application template")
        self.templates = {template.name: template for template in templates}
        self.list = QListWidget()
        for template in templates:
            item = QListWidgetItem(f"{template.title}\n{template.name} · {template.runtime} · "
                                   f"{len(template.functions)} function{'s' if len(template.functions) != 1 else ''}")
            item.setData(Qt.ItemDataRole.UserRole, template.name)
            self.list.addItem(item)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setFont(theme.monospace_font())
        self._start = start_folder
        self.folder = QLineEdit()
        self.folder.setToolTip("A new or empty folder; its repository (origin) goes beside it as <folder>.git")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(self.preview)
        splitter.setSizes([280, 440])
        where = QHBoxLayout()
        where.addWidget(QLabel("&Folder:"))
        where.addWidget(self.folder, 1)
        where.addWidget(browse)
        note = QLabel("The project is a git repository with a bare origin beside it: every git push runs the "
                      "pipeline (Build, then Deploy with the template's deployment preference) - the Pipeline tab "
                      "shows each run.")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(where)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.resize(780, 560)
        self.list.currentItemChanged.connect(lambda _current, _previous: self._changed())
        self.folder.textChanged.connect(lambda _text: self._check())
        if templates:
            self.list.setCurrentRow(0)
        self._check()

    @property
    def template(self) -> AppTemplate | None:
        item = self.list.currentItem()
        name = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return self.templates.get(name) if isinstance(name, str) else None

    @property
    def target(self) -> Path | None:
        text = self.folder.text().strip()
        return Path(text).expanduser() if text else None

    def choose(self, name: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(row)

    def _changed(self) -> None:
        template = self.template
        if template is None:
            self.preview.clear()
            return
        if not self.folder.text().strip() or self.folder.property("suggested"):
            self.folder.setText(str(self._start / template.name))
            self.folder.setProperty("suggested", True)
        text = [template.title, "", template.description, "", f"Runtime: {template.runtime}",
                "Functions: " + ", ".join(template.functions), "", "template.yaml:", ""]
        manifest = template.folder / FILES / "template.yaml"
        text.append(manifest.read_text(errors="replace") if manifest.is_file() else "(none)")
        self.preview.setPlainText("\n".join(text))
        self._check()

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.template is not None and self.target is not None)

    def _browse(self) -> None:
        dialog = QFileDialog(self, "The new project's folder", str(self._start))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self._picked)
        dialog.open()

    def _picked(self, folder: str) -> None:
        self.folder.setProperty("suggested", False)
        self.folder.setText(folder)
