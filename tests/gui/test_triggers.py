"""The Triggers pane against a real engine, real moto and a real function: a mapping added through the dialog
delivers a queue's messages, its live state and its batches (with their size) show, and it can be edited,
disabled and deleted; bad settings get AWS's message in the message bar."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.gui.conftest import running_window, wait_for
from tests.helpers import make_project
from workbench.engine import EngineSettings, MappingState, PollerSettings
from workbench.gui.main_window import MainWindow
from workbench.gui.panes.triggers.triggers_pane import COLUMNS
from workbench.services import browser

FAST = PollerSettings(sqs_wait_s=1, sqs_scale_interval_s=0.2, retry_delay_s=0.1, retry_delay_max_s=0.5)
CONSUMER = """
def handler(event, context):
    failed = [r["messageId"] for r in event["Records"] if "bad" in r["body"]]
    return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}
"""


def column(window: MainWindow, name: str) -> list[str]:
    return window.triggers.table.column_values(COLUMNS.index(name))


async def test_add_watch_edit_disable_and_delete_a_trigger(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {
        "Consumer": {"FunctionName": "consumer", "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"},
    }, files={"src/app.py": CONSUMER},
        extra_resources={"Work": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "work"}}})
    async with running_window(project, tmp_path, settings=EngineSettings(event_sources=FAST),
                              expect_errors=True) as window:
        pane = window.triggers
        assert window.show_pane("triggers") is pane and pane.isVisible()   # a section of the Configuration view
        await pane.add()
        await window.operations.wait_idle()
        dialog = pane.dialog
        assert dialog is not None
        assert [dialog.source.itemData(i) for i in range(dialog.source.count())] == [
            "arn:aws:sqs:us-east-1:123456789012:work"]
        assert not dialog.bisect.isEnabled()   # a queue has no bisect
        dialog.batch_size.setValue(5)
        dialog.item_failures.setChecked(True)
        dialog.accept()
        await window.operations.wait_idle()
        assert column(window, "Source") == ["work"] and column(window, "Batch size") == ["5"]

        endpoint = await window.resources.context.endpoint()
        queue_url = (await asyncio.to_thread(endpoint.client("sqs").get_queue_url, QueueName="work"))["QueueUrl"]
        for body in ("good one", "good two"):
            await asyncio.to_thread(browser.send_message, endpoint, queue_url, body)
        await wait_for(lambda: sum(int(size) for size in pane.batches.column_values(4) or ["0"]) >= 2, timeout=30,
                       message="the batches delivered")
        assert set(pane.batches.column_values(5)) == {"OK"}
        await wait_for(lambda: column(window, "Last result") == ["OK"] and column(window, "Records") == ["2"],
                       message="the live state")

        # Edit: the dialog shows the mapping's settings and cannot change its source.
        pane.table.selectRow(0)
        pane.edit()
        dialog = pane.dialog
        assert dialog is not None and not dialog.source.isEnabled() and dialog.batch_size.value() == 5
        dialog.batch_size.setValue(20000)   # more than SQS allows: AWS's message, nothing changed
        dialog.accept()
        await window.operations.wait_idle()
        assert "BatchSize" in window.message_bar.history[-1].text or "batch" in window.message_bar.history[-1].text
        assert column(window, "Batch size") == ["5"]

        pane.table.selectRow(0)
        pane.toggle_button.click()
        await window.operations.wait_idle()
        assert pane.views[0].state is MappingState.DISABLED and pane.toggle_button.text() == "Enable"
        pane.delete_button.click()
        await window.operations.wait_idle()
        assert pane.table.rowCount() == 0
