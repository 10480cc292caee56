"""No work is lost: closing with unsaved tabs asks (D1); outside edits reload and update tabs (D12)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from tests.gui.conftest import invoke_through_ui, running_window, wait_for
from tests.gui.test_code_editor import edit_all
from workbench.gui.file_watch import FileWatcher
from workbench.model.project import Project


def click(box: QMessageBox | None, text: str) -> None:
    assert box is not None, "no question is open"
    button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    button.click()


async def test_closing_with_an_unsaved_tab_asks_and_cancel_keeps_the_window(project: Project,
                                                                           tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        window.open_function_code("greeter")
        tab = window.code_editor.current()
        assert tab is not None
        edit_all(tab.view, "# my unsaved work\n")
        window.close()
        await wait_for(lambda: window.close_question is not None, message="the unsaved-changes question")
        question = window.close_question
        assert question is not None and "app.py" in question.text()
        click(window.close_question, "Cancel")
        await wait_for(lambda: window.close_question is None)
        assert window.isVisible() and window.session.engine is not None and tab.modified
        window.close()   # ask again, and this time save: the file holds the edit, then the window closes
        await wait_for(lambda: window.close_question is not None)
        click(window.close_question, "Save All")
        await wait_for(lambda: not window.isVisible(), message="the window to close after saving")
        assert (project.root / "src" / "app.py").read_text() == "# my unsaved work\n"


async def test_discard_closes_without_writing(project: Project, tmp_path: Path) -> None:
    original = (project.root / "src" / "app.py").read_text()
    async with running_window(project, tmp_path) as window:
        window.open_function_code("greeter")
        tab = window.code_editor.current()
        assert tab is not None
        edit_all(tab.view, "# thrown away\n")
        window.close()
        await wait_for(lambda: window.close_question is not None)
        click(window.close_question, "Discard")
        await wait_for(lambda: not window.isVisible(), message="the window to close")
    assert (project.root / "src" / "app.py").read_text() == original


async def test_an_outside_edit_reloads_the_function_and_updates_the_tab(project: Project, tmp_path: Path) -> None:
    app_py = project.root / "src" / "app.py"
    async with running_window(project, tmp_path) as window:
        window.open_function_code("greeter")
        tab = window.code_editor.current()
        assert tab is not None and app_py.resolve() in window.file_watcher.watched_files
        await invoke_through_ui(window, "greeter", "{}")
        app_py.write_text(app_py.read_text().replace('"version": 1', '"version": 2'))   # another editor
        await wait_for(lambda: '"version": 2' in tab.view.toPlainText(), message="the tab to follow the file")
        assert not tab.modified
        await wait_for(lambda: any(m.text.startswith("Changed outside the workbench: and reloaded greeter")
                                   for m in window.message_bar.history), message="the reload")
        await window.operations.wait_idle()
        await invoke_through_ui(window, "greeter", "{}")
        result = window.event_editor.result_view.result
        assert result is not None and result.cold_start and b'"version": 2' in result.payload

        # Unsaved edits in the tab too: the user is asked, and "Reload from disk" takes the file's text.
        edit_all(tab.view, tab.view.toPlainText() + "# mine\n")
        replaced = tmp_path / "app.py.new"    # an editor that writes a new file and renames it over the old
        replaced.write_text(app_py.read_text().replace('"version": 2', '"version": 3'))
        os.replace(replaced, app_py)
        await wait_for(lambda: window.code_editor.disk_question is not None, message="the changed-on-disk question")
        assert "# mine" in tab.view.toPlainText()
        click(window.code_editor.disk_question, "Reload from disk")
        assert '"version": 3' in tab.view.toPlainText() and "# mine" not in tab.view.toPlainText()
        assert not tab.modified
        tab.view.undo()   # the user's edits are one Undo away
        assert "# mine" in tab.view.toPlainText()
        tab.view.document().setModified(False)


async def test_saving_in_the_editor_is_not_an_outside_edit(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        window.open_function_code("greeter")
        tab = window.code_editor.current()
        assert tab is not None
        edit_all(tab.view, tab.view.toPlainText() + "# saved\n")
        window.code_editor.save_current()
        await window.operations.wait_idle()
        assert window.file_watcher.check() == []
        assert not any(m.text.startswith("Changed outside") for m in window.message_bar.history)


async def test_an_outside_edit_of_the_template_reloads_the_project(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        first = window.session.engine
        template = project.template_path
        template.write_text(template.read_text().replace("FunctionName: other", "FunctionName: renamed"))
        await wait_for(lambda: window.session.engine is not first and window.session.engine is not None
                       and window.session.engine.has_function("renamed"), message="the project reloaded")
        await window.operations.wait_idle()


async def test_the_watcher_reports_new_changed_and_removed_files_once(tmp_path: Path) -> None:
    folder = tmp_path / "code"
    (folder / "node_modules").mkdir(parents=True)
    (folder / "a.py").write_text("a")
    (folder / "node_modules" / "dep.js").write_text("x")
    watcher = FileWatcher(quiet_ms=20)
    reports: list[list[Path]] = []
    watcher.changed.connect(reports.append)
    watcher.watch([folder], [])
    assert watcher.watched_files == [(folder / "a.py").resolve()]
    (folder / "a.py").write_text("changed")
    (folder / "sub").mkdir()
    (folder / "sub" / "b.py").write_text("b")
    await wait_for(lambda: reports, message="a report")
    await wait_for(lambda: set().union(*reports) >= {(folder / "a.py").resolve(), (folder / "sub" / "b.py").resolve()})
    reports.clear()
    (folder / "a.py").unlink()
    await wait_for(lambda: reports == [[(folder / "a.py").resolve()]], message="the removal")
    watcher.clear()
