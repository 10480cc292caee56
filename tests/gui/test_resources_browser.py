"""The local resources browser against a real engine and real local services (moto): every kind of resource
the template declares is listed, and each panel's actions really change the resource."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.gui.conftest import PYTHON_APP, running_window, wait_for
from tests.helpers import make_project
from workbench.gui.main_window import MainWindow
from workbench.gui.panes.resources.panels import BucketPanel, QueuePanel, StreamPanel, TablePanel, TopicPanel
from workbench.model.project import Project
from workbench.services import browser

RESOURCES: dict[str, Any] = {
    "Dead": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "dead"}},
    "Work": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "work", "RedrivePolicy": {
        "deadLetterTargetArn": {"Fn::GetAtt": ["Dead", "Arn"]}, "maxReceiveCount": 2}}},
    "News": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "news"}},
    "Clicks": {"Type": "AWS::Kinesis::Stream", "Properties": {"Name": "clicks", "ShardCount": 1}},
    "Things": {"Type": "AWS::DynamoDB::Table", "Properties": {
        "TableName": "things", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}},
    "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "orders"}},
    "Files": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "files"}},
}


def _project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "project", {
        "Greeter": {"FunctionName": "greeter", "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"},
    }, files={"src/app.py": PYTHON_APP}, extra_resources=RESOURCES)


async def _settle(window: MainWindow) -> None:
    await window.operations.wait_idle()


async def test_every_kind_is_listed_and_each_panel_acts_on_it(tmp_path: Path) -> None:
    async with running_window(_project(tmp_path), tmp_path) as window:
        pane = window.resources
        window.docks["resources"].raise_()
        await pane.refresh()
        kinds = {resource.kind for resource in pane.resources}
        assert kinds == {"AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Kinesis::Stream", "AWS::DynamoDB::Table",
                         "AWS::Events::EventBus", "AWS::S3::Bucket"}
        endpoint = await pane.context.endpoint()

        # A queue: send two messages, peek (they stay), then the DLQ's messages are moved back.
        queue = pane.select("work")
        assert isinstance(queue, QueuePanel)
        await _settle(window)
        for body in ("first", "second"):
            queue.body.setPlainText(body)
            queue.send_button.click()
            await _settle(window)
        queue.peek_button.click()
        await _settle(window)
        assert sorted(queue.messages.column_values(2)) == ["first", "second"]
        await wait_for(lambda: queue.state is not None and queue.state.visible == 2, message="two waiting")
        assert queue.state is not None and queue.state.dead_letter_target is not None
        queue.purge_button.click()
        await _settle(window)
        assert browser.queue_state(endpoint, queue.url).visible == 0

        dead = pane.select("dead")
        assert isinstance(dead, QueuePanel) and dead is queue   # one panel per kind, showing the selection
        await _settle(window)
        browser.send_message(endpoint, dead.url, "came back")
        dead.refresh()
        await _settle(window)
        assert dead.move_button.isEnabled()
        dead.move_button.click()
        await _settle(window)
        work_url = next(r.url for r in pane.resources if r.name == "work")
        assert work_url is not None
        assert [m["Body"] for m in browser.peek_messages(endpoint, work_url)] == ["came back"]

        # A table: put an item, see it in the scan, delete it.
        table = pane.select("things")
        assert isinstance(table, TablePanel)
        table.item_editor.setPlainText(json.dumps({"id": "a", "count": 3}))
        table.put_button.click()
        await _settle(window)
        assert table.page is not None and table.page.items == [{"id": "a", "count": 3}]
        table.items.selectRow(0)
        assert json.loads(table.item_editor.toPlainText()) == {"id": "a", "count": 3}
        table.delete_button.click()
        await _settle(window)
        assert table.page is not None and table.page.items == []
        table.item_editor.setPlainText("{not json")
        table.put_button.click()
        assert "not JSON" in window.message_bar.history[-1].text
        window.message_bar.history.clear()

        # A stream: a record put is among the recent records.
        stream = pane.select("clicks")
        assert isinstance(stream, StreamPanel)
        stream.data.setPlainText('{"click": 1}')
        stream.put_button.click()
        await _settle(window)
        assert stream.records.column_values(3) == ['{"click": 1}']

        # A topic, a bus and a bucket.
        topic = pane.select("news")
        assert isinstance(topic, TopicPanel)
        topic.publish_button.click()
        await _settle(window)
        assert window.message_bar.history[-1].text.startswith("published ")
        pane.select("orders")
        pane.panels["AWS::Events::EventBus"].put_button.click()   # type: ignore[attr-defined]
        await _settle(window)
        assert "event" in window.message_bar.history[-1].text
        bucket = pane.select("files")
        assert isinstance(bucket, BucketPanel)
        source = tmp_path / "note.txt"
        source.write_text("hello bucket")
        bucket.upload(source)
        await _settle(window)
        assert bucket.objects.column_values(0) == ["note.txt"]
        bucket.download("note.txt", tmp_path / "back.txt")
        await _settle(window)
        assert (tmp_path / "back.txt").read_text() == "hello bucket"
