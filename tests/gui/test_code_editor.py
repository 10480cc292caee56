from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPlainTextEdit

from tests.gui.conftest import invoke_through_ui, running_window, wait_for
from workbench.engine.observation.events import EnvState
from workbench.gui.code_files import functions_owning, handler_file
from workbench.gui.widgets.highlighter import lexer_for
from workbench.model.function import FunctionConfig
from workbench.model.project import Project


def edit_all(view: QPlainTextEdit, text: str) -> None:
    """Replace the text as a user's edit would (setPlainText would reset the modified flag)."""
    cursor = view.textCursor()
    cursor.select(QTextCursor.SelectionType.Document)
    cursor.insertText(text)


@pytest.mark.parametrize(("name", "runtime", "lexer"), [
    ("app.py", None, "Python"), ("index.js", None, "JavaScript"), ("index.mjs", None, "JavaScript"),
    ("handler.rb", None, "Ruby"), ("Handler.java", None, "Java"), ("Function.cs", None, "C#"),
    ("main.go", None, "Go"), ("handler.ps1", None, "PowerShell"), ("bootstrap", None, "Bash"),
    ("template.yaml", None, "YAML"), ("event.json", None, "JSON"), ("noext", "ruby3.3", "Ruby"),
    ("noext", "nodejs20.x", "JavaScript"), ("noext", "java21", "Java"), ("noext", "dotnet8", "C#"),
])
def test_a_lexer_for_every_runtime_language(name: str, runtime: str | None, lexer: str) -> None:
    assert lexer_for(Path(name) if name != "noext" else None, "", runtime).name == lexer


def test_handler_files_are_found(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("def h(e, c): pass\n")
    (tmp_path / "index.mjs").write_text("export const handler = async () => 1;\n")
    python = FunctionConfig("f", "python3.12", "pkg.mod.h", tmp_path)
    node = FunctionConfig("g", "nodejs20.x", "index.handler", tmp_path)
    assert handler_file(python) == tmp_path / "pkg" / "mod.py"
    assert handler_file(node) == tmp_path / "index.mjs"
    assert functions_owning(tmp_path / "pkg" / "mod.py", [python, node]) == ["f", "g"]
    assert functions_owning(tmp_path.parent / "elsewhere.py", [python]) == []


async def test_open_highlight_find(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        window.open_function_code("greeter")
        tab = window.code_editor.current()
        assert tab is not None and tab.highlighter.lexer_name == "Python"
        await wait_for(lambda: tab.view.document().findBlockByNumber(4).layout().formats(), message="highlighting")
        formats = tab.view.document().findBlockByNumber(4).layout().formats()   # "def handler(event, context):"
        assert any(f.start == 0 and f.length == 3 for f in formats), "the keyword 'def' is formatted"
        assert tab.view.line_number_width() > 0
        window.code_editor.find_action.trigger()
        assert window.code_editor.find_bar.isVisible()
        window.code_editor.find_bar.field.setText("asked to fail")
        assert window.code_editor.find_bar.find_next(from_start=True)
        assert tab.view.textCursor().selectedText() == "asked to fail"
        window.code_editor.find_bar.field.setText("no such text anywhere")
        assert not window.code_editor.find_bar.find_next()
        assert window.code_editor.find_bar.status.text() == "not found"
        window.open_template()
        template_tab = window.code_editor.current()
        assert template_tab is not None and template_tab.highlighter.lexer_name == "YAML"
        assert len(window.code_editor.tabs) == 2
        window.open_function_code("other")     # same file: its tab comes forward, no duplicate
        assert len(window.code_editor.tabs) == 2


async def test_ctrl_s_saves_and_hot_reloads(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        await invoke_through_ui(window, "greeter", "{}")
        await wait_for(lambda: any(t.state is EnvState.FROZEN for t in window.environments.tiles.tiles.values()),
                       message="a warm, frozen environment")
        old_env = next(iter(window.environments.tiles.tiles))
        window.open_function_code("greeter")
        tab = window.code_editor.current()
        assert tab is not None
        edit_all(tab.view, tab.view.toPlainText().replace('"version": 1', '"version": 2'))
        assert tab.modified and window.code_editor.tabs_widget.tabText(0).startswith("●")
        tab.view.setFocus()
        QTest.keyClick(tab.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        await window.operations.wait_idle()
        assert '"version": 2' in (project.root / "src" / "app.py").read_text()
        assert not tab.modified
        reloaded = {m.text.split()[3]: m.text for m in window.message_bar.history if m.text.startswith("Saved and")}
        assert set(reloaded) == {"greeter", "other"}, window.message_bar.history
        assert "1 warm environment recycled" in reloaded["greeter"]
        assert "no warm environment" in reloaded["other"]
        await wait_for(lambda: window.environments.tiles.tiles.get(old_env) is None
                       or window.environments.tiles.tiles[old_env].reason == "code-update",
                       message="the old environment recycled")
        await invoke_through_ui(window, "greeter", "{}")
        result = window.event_editor.result_view.result
        assert result is not None and result.cold_start and b'"version": 2' in result.payload


async def test_saving_the_template_reloads_the_project(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        first_engine = window.session.engine
        window.open_template()
        tab = window.code_editor.current()
        assert tab is not None
        edit_all(tab.view, tab.view.toPlainText().replace("FunctionName: other", "FunctionName: renamed"))
        window.code_editor.save_current()
        await window.operations.wait_idle()
        assert window.session.engine is not first_engine
        assert [c.name for c in window.session.require().functions()] == ["greeter", "renamed"]
        assert window.functions.model.index_of_function("renamed").isValid()
