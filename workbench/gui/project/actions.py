"""File menu and function tree actions that change what the project holds: new and open project, recent
projects, new function (from scratch or a blueprint) and delete function.

Template functions are written to and removed from `template.yaml` (workbench.catalog, the same code as
`workbench new`), then the project is reloaded; a function created through the API lives in the store and is
deleted through the engine. Forms and questions are opened, never exec'd.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from workbench.catalog.apptemplates import Initialised, init_app, list_app_templates
from workbench.catalog.blueprints import list_blueprints
from workbench.catalog.newfunction import Added, add_blueprint
from workbench.catalog.plainfunction import add_function, remove_function
from workbench.gui.file_watch import FileWatcher
from workbench.gui.operations import Operations
from workbench.gui.project.app_template_dialog import AppTemplateDialog
from workbench.gui.session import EngineSession
from workbench.gui.widgets.message_bar import MessageBar
from workbench.gui.widgets.new_function_dialog import NewFunctionDialog

RECENT_KEY = "recent_projects"
RECENT_MAX = 8


class ProjectActions:
    def __init__(self, session: EngineSession, operations: Operations, message_bar: MessageBar,
                 file_watcher: FileWatcher, settings: QSettings, parent: QWidget,
                 open_folder: Callable[[Path], object], open_code: Callable[[str], None]) -> None:
        self._session = session
        self._operations = operations
        self._message_bar = message_bar
        self._watcher = file_watcher
        self._settings = settings
        self._parent = parent
        self._open_folder = open_folder
        self._open_code = open_code
        #: The form or question currently open (kept referenced while shown; tests answer it).
        self.dialog: QWidget | None = None

    # -- projects -----------------------------------------------------------------------------------
    def choose_folder(self, title: str) -> QFileDialog:
        """A folder chooser for New project (an empty folder) or Open project (a folder with a template)."""
        dialog = QFileDialog(self._parent, title, str(self._session.project.root.parent))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda folder: self._open_folder(Path(folder)))
        self.dialog = dialog
        dialog.open()
        return dialog

    def new_from_app_template(self) -> AppTemplateDialog:
        """New project from an application template: a git repository whose pushes run the pipeline."""
        dialog = AppTemplateDialog(list_app_templates(), self._session.project.root.parent, self._parent)
        dialog.accepted.connect(lambda: self._init_app(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _init_app(self, dialog: AppTemplateDialog) -> asyncio.Task[Initialised | None] | None:
        template, target = dialog.template, dialog.target
        if template is None or target is None:
            return None

        def made(initialised: Initialised) -> None:
            self._message_bar.info(f"Created {initialised.project} from the {template.name} template; its origin is "
                                   f"{initialised.origin} (every push runs the pipeline)")
            self._open_folder(initialised.project)

        return self._operations.run(f"Create a project from the {template.name} template",
                                    lambda: asyncio.to_thread(init_app, template, target), on_success=made)

    def recent(self) -> list[Path]:
        value = self._settings.value(RECENT_KEY, [])
        items = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []
        return [Path(item) for item in items if isinstance(item, str) and item]

    def remember(self, folder: Path) -> None:
        folders = [str(folder)] + [str(p) for p in self.recent() if p != folder]
        self._settings.setValue(RECENT_KEY, folders[:RECENT_MAX])
        self._settings.sync()

    # -- functions ----------------------------------------------------------------------------------
    def new_function(self) -> NewFunctionDialog:
        dialog = NewFunctionDialog(list_blueprints(), self._parent)
        dialog.accepted.connect(lambda: self._create(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _create(self, dialog: NewFunctionDialog) -> asyncio.Task[Added | None]:
        root = self._session.project.root
        blueprint = dialog.blueprint
        name = dialog.name or (blueprint.name if blueprint is not None else "")
        runtime, handler = dialog.runtime_box.currentText(), dialog.handler_field.text().strip()
        memory, timeout = dialog.memory.value(), dialog.timeout.value()

        async def create() -> Added:
            if blueprint is not None:
                added = await asyncio.to_thread(add_blueprint, root, blueprint, name)
            else:
                added = await asyncio.to_thread(add_function, root, name, runtime, handler, memory, timeout)
            self._watcher.note_written(added.template)   # our own write: not an outside edit to reload for
            await self._session.reload_project()
            return added

        def created(added: Added) -> None:
            self._message_bar.info(f"Created {added.function}: its entry in {added.template.name} and its code in "
                                   f"{added.code.relative_to(root)}/" + "".join(f"; {n}" for n in added.notes))
            self._open_code(added.function)

        return self._operations.run(f"Create the function {name or '(no name)'}", create, on_success=created)

    def delete_function(self, name: str) -> QMessageBox:
        project = self._session.project
        in_template = any(name == config.name for config in project.functions)
        where = (f"Its entry is removed from {project.template_path.name}; its code folder stays on disk."
                 if in_template else "It was created through the API: it is deleted with its versions and aliases.")
        buttons = QMessageBox.StandardButton
        box = QMessageBox(QMessageBox.Icon.Question, "Delete function", f"Delete the function {name}?\n{where}",
                          buttons.Yes | buttons.Cancel, self._parent)
        box.setDefaultButton(buttons.Cancel)

        def answered(_result: int) -> None:
            self.dialog = None
            if box.standardButton(box.clickedButton()) == buttons.Yes:
                self._delete(name, in_template)

        box.finished.connect(answered)
        self.dialog = box
        box.open()
        return box

    def _delete(self, name: str, in_template: bool) -> asyncio.Task[None]:
        root = self._session.project.root

        async def delete() -> None:
            if in_template:
                await asyncio.to_thread(remove_function, root, name)
                self._watcher.note_written(self._session.project.template_path)
                await self._session.reload_project()
            else:
                await self._session.require().delete_function(name)
            self._message_bar.info(f"Deleted the function {name}")

        return self._operations.run(f"Delete the function {name}", delete)
