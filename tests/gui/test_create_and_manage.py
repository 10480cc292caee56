"""Create and manage from the window (D23), desktop basics (D17, D18) and classroom controls."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QToolBar, QWidgetAction
from pytestqt.qtbot import QtBot

from tests.gui.conftest import invoke_through_ui, running_window, wait_for
from workbench.gui.operations import describe_error
from workbench.gui.widgets.code_view import CodeView
from workbench.model.project import Project, open_folder
from workbench.model.template import TemplateError
from workbench.resources import docs_path


async def test_new_function_in_an_empty_project_then_delete_it(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    async with running_window(open_folder(folder), tmp_path) as window:
        engine = window.session.require()
        assert engine.functions() == [] and window.functions.model.rowCount() == 0
        dialog = window.project_actions.new_function()
        dialog.name_field.setText("fresh")
        dialog.runtime_box.setCurrentText("nodejs20.x")
        assert dialog.handler_field.text() == "index.handler", "the handler follows the runtime's file type"
        dialog.memory.setValue(256)
        dialog.timeout.setValue(7)
        dialog.accept()
        await window.operations.wait_idle()
        engine = window.session.require()
        config = engine.function("fresh")
        assert (config.runtime, config.memory_size, config.timeout) == ("nodejs20.x", 256, 7)
        assert window.functions.model.index_of_function("fresh").isValid()
        tab = window.code_editor.current()
        assert tab is not None and tab.path == (folder / "fresh" / "src" / "index.js").resolve()
        await invoke_through_ui(window, "fresh", "{}")
        result = window.event_editor.result_view.result
        assert result is not None and b"Hello from fresh" in result.payload

        blueprint = window.project_actions.new_function()
        gallery = blueprint.gallery
        gallery.search.setText("sqs batch")   # the gallery: search, runtime filter, preview of code and presets
        assert gallery.shown() == ["sqs-batch-nodejs", "sqs-batch-python"]
        gallery.runtime.setCurrentText("python")
        assert gallery.shown() == ["sqs-batch-python"]
        gallery.choose("sqs-batch-python")
        assert "batchItemFailures" in gallery.code.toPlainText()
        assert "Queue: AWS::SQS::Queue" in gallery.presets.toPlainText() and "Timeout      30 s" in \
            gallery.presets.toPlainText()
        assert blueprint.timeout.value() == 30 and not blueprint.timeout.isEnabled()
        gallery.choose("hello-world-python")   # hidden by the filters: they are cleared
        assert gallery.search.text() == "" and blueprint.blueprint is not None
        assert not blueprint.runtime_box.isEnabled() and blueprint.runtime_box.currentText().startswith("python")
        blueprint.name_field.setText("hi")
        blueprint.accept()
        await window.operations.wait_idle()
        assert window.session.require().has_function("hi")

        box = window.project_actions.delete_function("fresh")
        assert isinstance(box, QMessageBox) and "code folder stays" in box.text()
        box.button(QMessageBox.StandardButton.Yes).click()
        await window.operations.wait_idle()
        assert not window.session.require().has_function("fresh")
        assert (folder / "fresh" / "src" / "index.js").is_file(), "the code stays on disk"
        assert [f.name for f in open_folder(folder).functions] == ["hi"]


async def test_open_project_moves_the_window_and_remembers_it(project: Project, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    async with running_window(project, tmp_path, remember_layout=True) as window:
        window.open_project(other)
        await window.operations.wait_idle()
        assert window.session.project.root == other.resolve() and window.windowTitle().endswith("— other")
        assert window.project_actions.recent()[0] == other.resolve()
        window._fill_recent()
        assert next(a.text() for a in window.recent_menu.actions()) == str(other.resolve())


async def test_preferences_apply_classroom_settings_and_reset_the_demo(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        await invoke_through_ui(window, "greeter", "{}")
        await wait_for(lambda: window.traces.model.rowCount() == 1, message="a trace")
        dialog = window.show_preferences(engine=True)
        assert dialog.tabs.currentIndex() == 1
        dialog.account_limit.setValue(40)
        dialog.scaling_rate.setValue(2)
        dialog.idle_timeout.setValue(30)
        dialog.slow_motion.setValue(3)
        dialog.font_size.setValue(15)
        dialog.accept()
        await window.operations.wait_idle()
        settings = window.session.require().settings
        assert (settings.account_concurrency, settings.scaling_environments) == (40, 2)
        assert (settings.idle_timeout_s, settings.scaling_window_s) == (90.0, 30.0)   # slow motion 3
        current = window.code_editor.current()
        assert current is None or current.view.font().pointSize() == 15
        again = window.show_preferences()
        assert again.classroom.idle_timeout_s == 30 and again.classroom.slow_motion == 3
        again.reject()
        window.reset_demo()
        await window.operations.wait_idle()
        assert window.traces.model.rowCount() == 0 and window.logs.model.total == 0
        history = window.concurrency.history
        assert window.environments.tiles.live_count() == 0 and not history.markers
        assert all(counts.environments == 0 for _, counts in history.series(None, 0)), "the graph starts over"


def test_enter_keeps_and_deepens_the_indentation(qtbot: QtBot) -> None:
    """D17: Enter started every new line at column 0."""
    view = CodeView()
    qtbot.addWidget(view)
    view.setPlainText("def handler(event, context):")
    view.moveCursor(view.textCursor().MoveOperation.End)
    QTest.keyClick(view, Qt.Key.Key_Return)
    view.insertPlainText("if event:")
    QTest.keyClick(view, Qt.Key.Key_Return)
    view.insertPlainText("return 1")
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert view.toPlainText() == "def handler(event, context):\n    if event:\n        return 1\n        "


def test_template_errors_have_no_traceback() -> None:
    """D18: a broken template was shown with the workbench's own stack trace."""
    text, details = describe_error(TemplateError(Path("template.yaml"), "must be a number", "Hello", "MemorySize"))
    assert text == "template.yaml: Hello.MemorySize: must be a number" and details == ""


async def test_menus_have_mnemonics_and_toolbars_tooltips(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        titles = [action.text() for action in window.menuBar().actions()]
        assert titles == ["&File", "&Edit", "&Engine", "&View", "&Help"]
        for toolbar in window.findChildren(QToolBar):
            for action in toolbar.actions():
                if action.isSeparator():
                    continue
                widget = action.defaultWidget() if isinstance(action, QWidgetAction) else None
                if widget is not None and widget.metaObject().className() == "QLabel":
                    continue
                tip = widget.toolTip() if widget is not None else action.toolTip()
                assert tip and tip != action.text(), (toolbar.objectName(), action.text(), widget)
        box = window.show_shortcuts()
        assert "Ctrl+S" in box.text() and "F11" in box.text() and "F1 " in box.text()
        box.reject()
        assert docs_path() is not None


async def test_new_project_from_an_application_template(tmp_path: Path) -> None:
    """File → New project from an application template: the gallery of templates with their template.yaml, a
    folder; the project is a git repository with its origin beside it, opened in the window, its first push
    queued for the pipeline."""
    start = tmp_path / "start"
    start.mkdir()
    async with running_window(open_folder(start), tmp_path, expect_errors=True) as window:
        dialog = window.project_actions.new_from_app_template()
        dialog.choose("queue-worker")
        assert "AWS::Serverless::Function" in dialog.preview.toPlainText()
        target = tmp_path / "worker"
        dialog.folder.setText(str(target))
        dialog.accept()
        await window.operations.wait_idle()
        await wait_for(lambda: window.session.project.root == target.resolve() and window.session.engine is not None
                       and bool(window.session.engine.functions()), timeout=30, message="the new project opened")
        assert (target / ".git").is_dir() and (tmp_path / "worker.git").is_dir()
        assert any("every push runs the pipeline" in m.text for m in window.message_bar.history)
        await wait_for(lambda: window.pipeline.runs_table.rowCount() == 1, message="the first push's run listed")
        again = window.project_actions.new_from_app_template()   # the folder is not empty now: the reason is said
        again.choose("queue-worker")
        again.folder.setText(str(target))
        again.accept()
        await window.operations.wait_idle()
        assert "is not empty" in window.message_bar.history[-1].text
        assert [m.text for m in window.message_bar.history if m.level.value == "error"] == [
            window.message_bar.history[-1].text]
