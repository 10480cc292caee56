"""Results you can trust (D11, D16, D21): an Invoking state, a throttle that replaces the previous result with
its Reason and what to do, and stale errors that clear when the invocation succeeds."""

from __future__ import annotations

from pathlib import Path

from tests.gui.conftest import invoke_through_ui, running_window
from workbench.gui.widgets.message_bar import Level
from workbench.model.project import Project


async def test_invoking_state_then_a_throttle_replaces_the_previous_result(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        editor, view = window.event_editor, window.event_editor.result_view
        await invoke_through_ui(window, "greeter", '{"name": "first"}')
        assert view.result is not None and b"first" in view.result.payload
        editor.select_function("greeter")
        editor.editor.setPlainText('{"sleep_ms": 300}')
        editor.invoke_button.click()
        assert view.headline.text().startswith("… Invoking greeter") and view.payload.toPlainText() == ""
        assert view.result is None and view.fields["Duration"].text() == "-"
        await window.operations.wait_idle()
        assert view.headline.text().startswith("✔ Succeeded")

        await window.session.require().put_function_concurrency("greeter", 0)
        await invoke_through_ui(window, "greeter", '{"name": "second"}')
        assert view.headline.text() == ("✖ Throttled: TooManyRequestsException "
                                        "(ReservedFunctionConcurrentInvocationLimitExceeded)")
        assert "reserved concurrency" in view.payload.toPlainText() and "first" not in view.payload.toPlainText()
        assert not [m for m in window.message_bar.history if m.level is Level.ERROR]


async def test_a_stale_invoke_error_clears_when_the_function_answers(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path, expect_errors=True) as window:
        view = window.event_editor.result_view
        window.event_editor.select_function("greeter")
        window.event_editor.qualifier_box.setEditText("nosuchalias")
        window.event_editor.invoke_button.click()
        await window.operations.wait_idle()
        assert window.message_bar.current is not None and window.message_bar.current.level is Level.ERROR
        assert view.headline.text().startswith("✖ Refused: ResourceNotFoundException")
        window.event_editor.qualifier_box.setEditText("$LATEST")
        window.event_editor.invoke_button.click()
        await window.operations.wait_idle()
        assert view.headline.text().startswith("✔ Succeeded")
        assert window.message_bar.current is None
