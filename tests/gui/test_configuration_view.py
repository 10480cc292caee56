"""The Configuration view and the code folder's file tree, against a real engine."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from tests.gui.conftest import running_window, wait_for
from workbench.gui.models.function_tree import NODE_ROLE
from workbench.gui.widgets.message_bar import Level
from workbench.model.project import Project


async def test_general_environment_layers_and_read_only_version(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path, expect_errors=True) as window:
        node = window.functions.model.index_of_function("greeter").data(NODE_ROLE)
        assert "Configuration…" in [a.text() for a in window.functions.menu_for(node).actions()]
        window.show_configuration("greeter")
        view = window.configuration
        assert view.isVisible() and view.general.timeout.value() == 10
        assert window.code_editor.tabs_widget.currentWidget() is window.configuration_page
        assert "declared in the template" in view.note.text()
        view.general.memory.setValue(512)
        view.general.description.setText("configured in the GUI")
        view.general.save.click()
        await window.operations.wait_idle()
        engine = window.session.require()
        config = engine.function("greeter")
        assert (config.memory_size, config.description) == (512, "configured in the GUI")
        view.environment.add_row("STAGE", "dev")
        view.environment.add_row("DROP", "me")
        view.environment.table.setCurrentCell(1, 0)
        view.environment.remove_selected()
        view.environment.save.click()
        await window.operations.wait_idle()
        assert dict(engine.function("greeter").environment) == {"STAGE": "dev"}
        view.layers.arn.setText("not-an-arn")
        view.layers.add_arn()
        view.layers.save.click()
        await window.operations.wait_idle()
        assert window.message_bar.history[-1].level is Level.ERROR
        assert "Save the layers of greeter failed" in window.message_bar.history[-1].text
        assert engine.function("greeter").layers == ()
        await engine.publish_version("greeter")
        window.show_configuration("greeter", "1")
        assert not view.general.memory.isEnabled() and not view.general.save.isVisibleTo(view)
        assert "read only" in view.note.text() and view.general.memory.value() == 512


async def test_concurrency_and_aliases(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        engine = window.session.require()
        await engine.publish_version("greeter")
        app = project.root / "src" / "app.py"
        app.write_text(app.read_text() + "# v2\n")
        await engine.reload_code("greeter")
        await engine.publish_version("greeter")
        await engine.create_alias("greeter", "live", "1")
        window.bridge.flush()
        window.show_configuration("greeter")
        view = window.configuration
        view.concurrency.reserved.setValue(7)
        view.concurrency.set_reserved.click()
        await window.operations.wait_idle()
        assert engine.function_concurrency("greeter") == 7 and "Reserved: 7" in \
            view.concurrency.reserved_label.text()
        view.concurrency.qualifier.setCurrentText("live")
        view.concurrency.count.setValue(1)
        view.concurrency.set_provisioned.click()
        await window.operations.wait_idle()
        assert view.concurrency.status_of("live") in ("IN_PROGRESS", "READY")
        await wait_for(lambda: view.concurrency.status_of("live") == "READY", 30, "provisioned READY")
        # Edit the alias: version 2 with 25% routed to version 1.
        assert view.aliases.selected_alias() == "live"
        view.aliases.version.setCurrentText("2")
        view.aliases.extra.setCurrentText("1")
        view.aliases.weight.setValue(0.25)
        view.aliases.update_button.click()
        await window.operations.wait_idle()
        alias = engine.function_entry("greeter").aliases["live"]
        assert (alias.function_version, alias.additional_weights) == ("2", (("1", 0.25),))
        question = view.confirm_delete_alias()
        assert question is not None
        question.done(QMessageBox.StandardButton.Cancel)
        await window.operations.wait_idle()
        assert "live" in engine.function_entry("greeter").aliases
        question = view.confirm_delete_alias()
        assert question is not None
        question.done(QMessageBox.StandardButton.Yes)
        await window.operations.wait_idle()
        window.bridge.flush()
        assert "live" not in engine.function_entry("greeter").aliases
        assert view.aliases.aliases.rowCount() == 0 and view.concurrency.status_of("live") is None


async def test_file_tree(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path, expect_errors=True) as window:
        window.show_configuration("greeter")
        files = window.configuration.files
        root = (project.root / "src").resolve()
        assert files.root == root
        dialog = files.ask_new_file()
        assert dialog is not None and dialog.isVisible()
        dialog.setTextValue("lib/util.py")
        dialog.accept()
        created = root / "lib" / "util.py"
        assert created.is_file()
        assert window.code_editor.tabs[-1].path == created   # a new file opens in the editor
        outside = tmp_path / "escape.py"
        assert files.create_file("../../escape.py") is None and not outside.exists()
        assert "outside the function's code folder" in window.message_bar.history[-1].text
        await wait_for(lambda: files.model.index(str(created)).isValid(), message="the tree shows the file")
        files.select(created)
        rename = files.ask_rename()
        assert rename is not None and rename.textValue() == "lib/util.py"
        rename.setTextValue("lib/helpers.py")
        rename.accept()
        renamed = root / "lib" / "helpers.py"
        assert renamed.is_file() and not created.exists()
        assert files.rename_to(renamed, "../outside.py") is None and renamed.is_file()
        await wait_for(lambda: files.model.index(str(renamed)).isValid(), message="the tree shows the rename")
        files.select(renamed)
        question = files.ask_delete()
        assert question is not None
        question.done(QMessageBox.StandardButton.Cancel)
        assert renamed.exists()
        question = files.ask_delete()
        assert question is not None
        question.done(QMessageBox.StandardButton.Yes)
        assert not renamed.exists() and (root / "app.py").exists()
        # Double-click opens a file in the code editor.
        app = root / "app.py"
        index = files.model.index(str(app))
        files.view.doubleClicked.emit(index)
        current = window.code_editor.current()
        assert current is not None and current.path == app
