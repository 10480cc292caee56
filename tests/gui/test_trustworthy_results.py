"""Results you can trust (D11, D16, D21): an Invoking state, a throttle that replaces the previous result with
its Reason and what to do, and stale errors that clear when the invocation succeeds."""

from __future__ import annotations

from pathlib import Path

from tests.gui.conftest import PYTHON_APP, invoke_through_ui, running_window
from tests.helpers import make_project
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


async def test_init_agrees_with_the_headline_after_an_init_failure(tmp_path: Path) -> None:
    """D20: a cold start whose init failed said "Init: none (warm)" under a "cold start" headline."""
    broken = make_project(tmp_path / "broken", {
        "Broken": {"FunctionName": "broken", "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"},
    }, files={"src/app.py": "raise RuntimeError('init is broken')\ndef handler(event, context):\n    return 1\n"})
    async with running_window(broken, tmp_path) as window:
        view = window.event_editor.result_view
        await invoke_through_ui(window, "broken", "{}")
        assert view.headline.text().startswith("✖ Function error") and "cold start" in view.headline.text()
        assert view.fields["Init"].text().startswith("failed (")
        assert "warm" not in view.fields["Init"].text()


async def test_a_warm_call_that_re_ran_init_after_a_reset_says_so(tmp_path: Path) -> None:
    """D21: the invocation after a timeout re-runs init in its own phase; the GUI names it and the reason."""
    slow = make_project(tmp_path / "slow", {
        "Slow": {"FunctionName": "slow", "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                 "Timeout": 1},
    }, files={"src/app.py": PYTHON_APP})
    async with running_window(slow, tmp_path) as window:
        view = window.event_editor.result_view
        await invoke_through_ui(window, "slow", '{"sleep_ms": 3000}')
        assert view.headline.text().startswith("✖ Function error")
        await invoke_through_ui(window, "slow", '{"name": "again"}')
        assert view.headline.text() == "✔ Succeeded · warm, init re-ran: the previous invocation timed out"
        assert view.fields["Init"].text().endswith("ms, re-run in the invoke phase")
