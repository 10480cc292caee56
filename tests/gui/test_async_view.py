"""The Asynchronous tab against a real engine, real moto and a real function: the configuration is set through
its form (retries, destinations, dead-letter queue), a failing event shows its attempts with the countdown to
the next one and ends dead-lettered (said in the message bar too), a succeeding one shows the invocation record
its destination received, and a destination that does not exist gets AWS's message."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.gui.conftest import PYTHON_APP, running_window, wait_for
from tests.helpers import make_project
from workbench.engine import EngineSettings, EventState
from workbench.gui.main_window import MainWindow
from workbench.gui.panes.asynchronous.async_pane import COLUMNS
from workbench.gui.widgets.message_bar import Level
from workbench.services import browser

ACCOUNT_ARN = "arn:aws:sqs:us-east-1:123456789012:"


def column(window: MainWindow, name: str) -> list[str]:
    return window.asynchronous.table.column_values(COLUMNS.index(name))



async def _configured(pane: Any) -> None:
    """Open the asynchronous configuration (the pane starts reading it in a task; wait for that)."""
    loading = pane.configure()
    assert loading is not None
    await loading

async def test_configure_watch_retries_dead_letter_and_read_the_record(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {
        "Greeter": {"FunctionName": "greeter", "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"},
    }, files={"src/app.py": PYTHON_APP}, extra_resources={
        "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "dlq"}},
        "Done": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "done"}}})
    # Retries after 60 and 120 s on AWS: 1.8 and 3.6 s here, long enough to see the countdown.
    async with running_window(project, tmp_path, settings=EngineSettings(async_delay_scale=0.03),
                              expect_errors=True) as window:
        pane = window.asynchronous
        # As a user reaches it: the function's Configuration view, its Asynchronous section.
        window.show_configuration("greeter")
        window.configuration.show_tab(pane)
        assert pane.isVisible() and pane.function == "greeter"
        await _configured(pane)
        await window.operations.wait_idle()
        dialog = pane.dialog
        assert dialog is not None
        targets = [dialog.on_success.itemData(i) for i in range(dialog.on_success.count())]
        assert ACCOUNT_ARN + "dlq" in targets and ACCOUNT_ARN + "done" in targets
        assert dialog.retries.value() == 2 and dialog.age.value() == 21_600   # AWS's defaults
        dialog.select(dialog.on_success, ACCOUNT_ARN + "done")
        dialog.select(dialog.dead_letter, ACCOUNT_ARN + "dlq")
        dialog.accept()
        await window.operations.wait_idle()
        engine = window.session.require()
        assert engine.get_function_event_invoke_config("greeter").on_success == ACCOUNT_ARN + "done"
        assert engine.function("greeter").dead_letter_target == ACCOUNT_ARN + "dlq"
        assert "on success → done" in pane.config_label.text() and "dead-letter queue dlq" in pane.config_label.text()

        failing = await engine.invoke_async("greeter", json.dumps({"fail": True}))
        await wait_for(lambda: any(text.startswith("attempt 2 in") for text in column(window, "Next attempt")),
                       message="the countdown to the second attempt")
        assert column(window, "State")[0] == "retry-wait"
        await wait_for(lambda: column(window, "State")[:1] == ["failed"] and "dead-lettered to dlq"
                       in column(window, "How it ended")[0], timeout=30, message="the event dead-lettered")
        assert column(window, "Attempts") == ["3"]
        pane.select(failing)
        selected = pane.selected()
        assert selected is not None and [attempt.outcome for attempt in selected.attempts] == ["error"] * 3
        assert "asked to fail" in pane.details.toPlainText()
        warnings = [m.text for m in window.message_bar.history if m.level is Level.WARNING]
        assert any(failing in text and "discarded" in text and "RetriesExhausted" in text for text in warnings)
        await wait_for(lambda: "dead-lettered 1" in pane.summary.text(), message="the queue's statistics")
        endpoint = await window.resources.context.endpoint()
        dlq_url = (await asyncio.to_thread(endpoint.client("sqs").get_queue_url, QueueName="dlq"))["QueueUrl"]
        assert (await asyncio.to_thread(browser.queue_state, endpoint, dlq_url)).visible == 1

        succeeding = await engine.invoke_async("greeter", json.dumps({"name": "async"}))
        await wait_for(lambda: any(view.request_id == succeeding and view.records for view in pane.views),
                       timeout=20, message="the success record delivered")
        pane.select(succeeding)
        details = pane.details.toPlainText()
        assert '"condition": "Success"' in details and '"hello": "async"' in details
        selected = pane.selected()
        assert selected is not None and selected.state is EventState.SUCCEEDED
        assert pane.timeline.events and pane.timeline.selected == succeeding

        # A destination that does not exist: AWS's message, the configuration unchanged.
        await _configured(pane)
        await window.operations.wait_idle()
        dialog = pane.dialog
        assert dialog is not None and dialog.on_success.currentData() == ACCOUNT_ARN + "done"
        dialog.select(dialog.on_failure, ACCOUNT_ARN + "nowhere")
        dialog.accept()
        await window.operations.wait_idle()
        last = window.message_bar.history[-1]
        assert last.level is Level.ERROR and "InvalidParameterValueException" in last.text and "nowhere" in last.text
        assert engine.get_function_event_invoke_config("greeter").on_failure is None
