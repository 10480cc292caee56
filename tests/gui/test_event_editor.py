from __future__ import annotations

import json
from pathlib import Path

from tests.gui.conftest import invoke_through_ui, running_window, wait_for
from workbench.gui.panes.event_editor import json_problem
from workbench.gui.widgets.message_bar import Level
from workbench.model.project import Project
from workbench.resources import SAMPLE_EVENT_TITLES, sample_events


def test_json_problem_names_line_and_column() -> None:
    assert json_problem('{"a": 1}') is None
    assert json_problem("") is None
    assert json_problem('{\n  "a": 1,\n  "b": }\n') == (3, 8, "Expecting value")


def test_every_sample_event_ships_and_is_json() -> None:
    events = sample_events()
    assert set(events) == set(SAMPLE_EVENT_TITLES.values())
    for title, path in events.items():
        document = json.loads(path.read_text())
        assert document, title
    sources = {json.loads(p.read_text()).get("Records", [{}])[0].get("eventSource") for p in events.values()}
    assert {"aws:sqs", "aws:s3", "aws:dynamodb", "aws:kinesis"} <= sources


async def test_live_validation_marks_the_error(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        editor = window.event_editor
        editor.editor.setPlainText('{\n  "name": "x",\n  oops\n}')
        await wait_for(lambda: editor.editor.marked_line == 3, message="line 3 marked")
        assert "line 3, column 3" in editor.validation.text()
        editor.editor.setPlainText('{"name": "fixed"}')
        await wait_for(lambda: editor.editor.marked_line is None, message="the mark cleared")
        assert "valid JSON" in editor.validation.text()


async def test_invalid_json_is_not_invoked(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path, expect_errors=True) as window:
        await invoke_through_ui(window, "greeter", "{broken")
        assert window.message_bar.history[-1].level is Level.ERROR
        assert "not valid JSON" in window.message_bar.history[-1].text
        assert window.session.require().statistics().invocations == 0


async def test_invoke_shows_cold_then_warm_result(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        view = window.event_editor.result_view
        await invoke_through_ui(window, "greeter", '{"name": "ada"}')
        assert view.result is not None and view.result.cold_start
        assert "cold start" in view.headline.text()
        assert json.loads(view.payload.toPlainText()) == {"hello": "ada", "version": 1}
        assert view.fields["Init"].text().endswith(" ms")
        assert view.fields["Billed"].text().endswith(" ms")
        assert "of 128 MB" in view.fields["Memory"].text()
        await invoke_through_ui(window, "greeter", '{"name": "bob"}')
        assert not view.result.cold_start and "warm" in view.headline.text()
        assert view.fields["Init"].text().startswith("none")


async def test_function_error_is_shown(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        await invoke_through_ui(window, "greeter", '{"fail": true}')
        view = window.event_editor.result_view
        assert view.result is not None and view.result.function_error == "Unhandled"
        assert "Function error" in view.headline.text()
        assert json.loads(view.payload.toPlainText())["errorType"] == "ValueError"


async def test_engine_errors_land_in_the_message_bar(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path, expect_errors=True) as window:
        editor = window.event_editor
        editor.qualifier_box.setCurrentText("no-such-alias")
        editor.editor.setPlainText("{}")
        editor.invoke_button.click()
        assert not editor.invoke_button.isEnabled()   # disabled while the operation runs
        await window.operations.wait_idle()
        assert editor.invoke_button.isEnabled()
        message = window.message_bar.history[-1]
        assert message.level is Level.ERROR and "ResourceNotFoundException" in message.text
        assert window.message_bar.isVisible()


async def test_saved_events_live_in_the_project(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        editor = window.event_editor
        editor.select_function("greeter")
        editor.editor.setPlainText('{"name": "saved"}')
        editor.name_field.setText("my-event")
        editor.save_button.click()
        path = project.root / "events" / "greeter" / "my-event.json"
        assert json.loads(path.read_text()) == {"name": "saved"}
        assert [editor.saved_box.itemText(i) for i in range(1, editor.saved_box.count())] == ["my-event"]
        editor.select_function("other")
        assert editor.saved_box.count() == 1           # saved per function
        editor.select_function("greeter")
        editor.editor.setPlainText("{}")
        editor.saved_box.setCurrentIndex(1)
        editor.saved_box.activated.emit(1)
        assert json.loads(editor.editor.toPlainText()) == {"name": "saved"}
        editor.delete_button.click()
        assert not path.exists()


async def test_bad_event_name_is_refused(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path, expect_errors=True) as window:
        editor = window.event_editor
        editor.name_field.setText("../escape")
        editor.save_button.click()
        assert "not a valid event name" in window.message_bar.history[-1].text
        assert not (project.root / "escape.json").exists()


async def test_sample_event_is_inserted(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        editor = window.event_editor
        index = editor.sample_box.findText(SAMPLE_EVENT_TITLES["sqs"])
        editor.sample_box.activated.emit(index)
        assert json.loads(editor.editor.toPlainText())["Records"][0]["eventSource"] == "aws:sqs"
        await invoke_through_ui(window, "greeter", editor.editor.toPlainText())
        assert editor.result_view.result is not None and editor.result_view.result.function_error is None
