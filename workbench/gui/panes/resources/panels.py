"""One detail panel per kind of resource: what the console lets you do to it, through the SDK.

Every panel shows the selected resource (`show_resource`), reads it again on `refresh`, and runs what the
user asks through the `BrowserContext`, so errors land in the message bar.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.panes.resources.context import BrowserContext
from workbench.gui.widgets.record_table import RecordTable
from workbench.services import browser
from workbench.services.inventory import ResourceInfo

PAGE_SIZE = 25


def _editor(example: str, height: int = 64) -> QPlainTextEdit:
    """A small editor holding an example to send as it is or change (a class sends something at once)."""
    editor = QPlainTextEdit(example)
    editor.setMaximumHeight(height)
    return editor


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return row


class ResourcePanel(QWidget):
    kind = ""

    def __init__(self, context: BrowserContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.resource: ResourceInfo | None = None
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(4, 4, 4, 4)
        self.layout_.addWidget(self.heading)

    def show_resource(self, resource: ResourceInfo) -> None:
        self.resource = resource
        self.heading.setText(f"<b>{resource.name}</b> — {resource.size}<br><small>{resource.url or resource.arn}"
                             "</small>")
        self.refresh()

    def refresh(self) -> None:
        """Read the resource again (the browser calls it on selection and on Refresh)."""


class QueuePanel(ResourcePanel):
    kind = "AWS::SQS::Queue"

    def __init__(self, context: BrowserContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.state_label = QLabel()
        self.messages = RecordTable(("Message id", "Receives", "Body"))
        self.peek_button = QPushButton("Peek")
        self.peek_button.setToolTip("Show up to 10 messages and leave them in the queue (a peek counts as a "
                                    "receive, as the console's poll does)")
        self.purge_button = QPushButton("Purge")
        self.move_button = QPushButton("Move messages back")
        self.move_button.setToolTip("Move this dead-letter queue's messages back to the queue that sent them here")
        self.body = _editor('{"hello": "from the workbench"}')
        self.send_button = QPushButton("Send a message")
        self.peek_button.clicked.connect(self.peek)
        self.purge_button.clicked.connect(self.purge)
        self.move_button.clicked.connect(self.move_back)
        self.send_button.clicked.connect(self.send)
        self.state: browser.QueueState | None = None
        self.layout_.addWidget(self.state_label)
        self.layout_.addLayout(_row(self.peek_button, self.purge_button, self.move_button))
        self.layout_.addWidget(self.messages, 1)
        self.layout_.addWidget(self.body)
        self.layout_.addLayout(_row(self.send_button))

    @property
    def url(self) -> str:
        assert self.resource is not None and self.resource.url is not None
        return self.resource.url

    def refresh(self) -> None:
        if self.resource is not None:
            self.context.call(f"Read queue {self.resource.name}", browser.queue_state, self.url,
                              on_success=self._show_state)

    def _show_state(self, state: browser.QueueState) -> None:
        self.state = state
        text = f"{state.visible} waiting · {state.in_flight} in flight · {state.delayed} delayed"
        if state.dead_letter_target:
            text += f" · dead-letters to {state.dead_letter_target.rsplit(':', 1)[-1]}"
        if state.sources:
            text += f" · dead-letter queue of {', '.join(url.rsplit('/', 1)[-1] for url in state.sources)}"
        self.state_label.setText(text)
        self.move_button.setEnabled(bool(state.sources))

    def peek(self) -> None:
        self.context.call(f"Peek into {self.url}", browser.peek_messages, self.url, trigger=self.peek_button,
                          on_success=self._show_messages)

    def _show_messages(self, messages: list[dict[str, Any]]) -> None:
        self.messages.set_rows([(m["MessageId"], m.get("Attributes", {}).get("ApproximateReceiveCount", ""),
                                 m["Body"]) for m in messages], messages)
        self.refresh()

    def send(self) -> None:
        self.context.call(f"Send a message to {self.url}", browser.send_message, self.url,
                          self.body.toPlainText(), trigger=self.send_button, on_success=lambda _id: self.refresh())

    def purge(self) -> None:
        self.context.call(f"Purge {self.url}", browser.purge_queue, self.url, trigger=self.purge_button,
                          on_success=lambda _none: self._after_purge())

    def _after_purge(self) -> None:
        self.messages.set_rows([])
        self.refresh()

    def move_back(self) -> None:
        if self.state is None or not self.state.sources:
            return
        target = self.state.sources[0]
        self.context.call(f"Move messages back to {target}", browser.move_back, self.url, target,
                          trigger=self.move_button, on_success=self._moved)

    def _moved(self, count: int) -> None:
        self.context.message_bar.info(f"{count} message(s) moved back")
        self.messages.set_rows([])
        self.refresh()


class TopicPanel(ResourcePanel):
    kind = "AWS::SNS::Topic"

    def __init__(self, context: BrowserContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.subscriptions = RecordTable(("Protocol", "Endpoint", "Subscription"))
        self.subject = QLineEdit()
        self.subject.setPlaceholderText("Subject (optional)")
        self.message = _editor('{"hello": "subscribers"}')
        self.publish_button = QPushButton("Publish")
        self.publish_button.clicked.connect(self.publish)
        self.layout_.addWidget(QLabel("Subscriptions"))
        self.layout_.addWidget(self.subscriptions, 1)
        self.layout_.addWidget(self.subject)
        self.layout_.addWidget(self.message)
        self.layout_.addLayout(_row(self.publish_button))

    def refresh(self) -> None:
        if self.resource is not None:
            self.context.call(f"Read the subscriptions of {self.resource.name}", browser.subscriptions,
                              self.resource.arn, on_success=self._show)

    def _show(self, found: list[dict[str, Any]]) -> None:
        self.subscriptions.set_rows([(s["Protocol"], s["Endpoint"], s["SubscriptionArn"]) for s in found])

    def publish(self) -> None:
        assert self.resource is not None
        self.context.call(f"Publish to {self.resource.name}", browser.publish, self.resource.arn,
                          self.message.toPlainText(), self.subject.text() or None, trigger=self.publish_button,
                          on_success=lambda message_id: self.context.message_bar.info(f"published {message_id}"))


class StreamPanel(ResourcePanel):
    kind = "AWS::Kinesis::Stream"

    def __init__(self, context: BrowserContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.shards_label = QLabel()
        self.records = RecordTable(("Shard", "Sequence", "Key", "Data"))
        self.partition_key = QLineEdit("key-1")
        self.data = _editor('{"reading": 42}')
        self.put_button = QPushButton("Put a record")
        self.put_button.clicked.connect(self.put)
        self.layout_.addWidget(self.shards_label)
        self.layout_.addWidget(QLabel("Recent records"))
        self.layout_.addWidget(self.records, 1)
        form = QFormLayout()
        form.addRow("Partition key", self.partition_key)
        self.layout_.addLayout(form)
        self.layout_.addWidget(self.data)
        self.layout_.addLayout(_row(self.put_button))

    def refresh(self) -> None:
        if self.resource is not None:
            name = self.resource.name
            self.context.call(f"Read the shards of {name}", browser.shards, name, on_success=self._show_shards)
            self.context.call(f"Read the records of {name}", browser.recent_records, name,
                              on_success=self._show_records)

    def _show_shards(self, found: list[dict[str, Any]]) -> None:
        self.shards_label.setText("Shards: " + ", ".join(shard["ShardId"] for shard in found))

    def _show_records(self, found: list[dict[str, Any]]) -> None:
        self.records.set_rows([(r["shard"], r["sequence"], r["partitionKey"], r["data"]) for r in reversed(found)])

    def put(self) -> None:
        assert self.resource is not None
        self.context.call(f"Put a record into {self.resource.name}", browser.put_record, self.resource.name,
                          self.data.toPlainText(), self.partition_key.text(), trigger=self.put_button,
                          on_success=lambda _answer: self.refresh())


class TablePanel(ResourcePanel):
    kind = "AWS::DynamoDB::Table"

    def __init__(self, context: BrowserContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.items = RecordTable(("Key", "Item"))
        self.items.itemSelectionChanged.connect(self._selected)
        self.first_button = QPushButton("First page")
        self.next_button = QPushButton("Next page")
        self.next_button.setEnabled(False)
        self.delete_button = QPushButton("Delete the item")
        self.item_editor = _editor('{"id": "1", "name": "first"}', 90)
        self.put_button = QPushButton("Put the item")
        self.first_button.clicked.connect(self.refresh)
        self.next_button.clicked.connect(self.next_page)
        self.delete_button.clicked.connect(self.delete)
        self.put_button.clicked.connect(self.put)
        self.page: browser.ScanPage | None = None
        self.layout_.addLayout(_row(self.first_button, self.next_button, self.delete_button))
        self.layout_.addWidget(self.items, 1)
        self.layout_.addWidget(QLabel("Item (JSON; select a row to edit it)"))
        self.layout_.addWidget(self.item_editor)
        self.layout_.addLayout(_row(self.put_button))

    def refresh(self) -> None:
        self._scan(None)

    def next_page(self) -> None:
        if self.page is not None and self.page.next_key:
            self._scan(self.page.next_key)

    def _scan(self, start: dict[str, Any] | None) -> None:
        if self.resource is not None:
            self.context.call(f"Scan {self.resource.name}", browser.scan, self.resource.name, PAGE_SIZE, start,
                              on_success=self._show)

    def _show(self, page: browser.ScanPage) -> None:
        self.page = page
        rows = [({name: item.get(name) for name in page.key_names}, item) for item in page.items]
        self.items.set_rows(rows, page.items)
        self.next_button.setEnabled(page.next_key is not None)

    def _selected(self) -> None:
        item = self.items.payload()
        if item is not None:
            self.item_editor.setPlainText(json.dumps(item, indent=2))

    def put(self) -> None:
        assert self.resource is not None
        try:
            item = browser.parse_item(self.item_editor.toPlainText())
        except browser.BrowserInputError as exc:
            self.context.message_bar.error(f"Put the item failed — {exc}")
            return
        self.context.call(f"Put an item into {self.resource.name}", browser.put_item, self.resource.name, item,
                          trigger=self.put_button, on_success=lambda _none: self.refresh())

    def delete(self) -> None:
        item = self.items.payload()
        if self.resource is None or self.page is None or item is None:
            return
        key = {name: item[name] for name in self.page.key_names if name in item}
        self.context.call(f"Delete an item of {self.resource.name}", browser.delete_item, self.resource.name, key,
                          trigger=self.delete_button, on_success=lambda _none: self.refresh())


class BusPanel(ResourcePanel):
    kind = "AWS::Events::EventBus"

    def __init__(self, context: BrowserContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.rules = RecordTable(("Rule", "State", "Pattern"))
        self.source = QLineEdit("workbench.demo")
        self.detail_type = QLineEdit("Demo event")
        self.detail = _editor('{"hello": "bus"}')
        self.put_button = QPushButton("Put the event")
        self.put_button.clicked.connect(self.put)
        form = QFormLayout()
        form.addRow("Source", self.source)
        form.addRow("Detail type", self.detail_type)
        self.layout_.addWidget(QLabel("Rules"))
        self.layout_.addWidget(self.rules, 1)
        self.layout_.addLayout(form)
        self.layout_.addWidget(self.detail)
        self.layout_.addLayout(_row(self.put_button))

    def refresh(self) -> None:
        if self.resource is not None:
            self.context.call(f"Read the rules of {self.resource.name}", browser.rules, self.resource.name,
                              on_success=lambda found: self.rules.set_rows(
                                  [(r["Name"], r.get("State", ""), r.get("EventPattern", "")) for r in found]))

    def put(self) -> None:
        assert self.resource is not None
        self.context.call(f"Put an event on {self.resource.name}", browser.put_event, self.resource.name,
                          self.source.text(), self.detail_type.text(), self.detail.toPlainText(),
                          trigger=self.put_button,
                          on_success=lambda event_id: self.context.message_bar.info(f"event {event_id} put"))


class BucketPanel(ResourcePanel):
    kind = "AWS::S3::Bucket"

    def __init__(self, context: BrowserContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.objects = RecordTable(("Key", "Size", "Modified"))
        self.upload_button = QPushButton("Upload a file…")
        self.download_button = QPushButton("Download…")
        self.upload_button.clicked.connect(self.choose_upload)
        self.download_button.clicked.connect(self.choose_download)
        self.layout_.addWidget(self.objects, 1)
        self.layout_.addLayout(_row(self.upload_button, self.download_button))

    def refresh(self) -> None:
        if self.resource is not None:
            self.context.call(f"List the objects of {self.resource.name}", browser.list_objects, self.resource.name,
                              on_success=self._show)

    def _show(self, found: list[dict[str, Any]]) -> None:
        from datetime import datetime

        self.objects.set_rows([(o["key"], o["size"], datetime.fromtimestamp(o["modified"]).isoformat(" ", "seconds"))
                               for o in found], found)

    def choose_upload(self) -> None:
        dialog = QFileDialog(self, "Upload a file")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda name: self.upload(Path(name)))
        dialog.open()   # never exec() under the event loop

    def upload(self, path: Path, key: str | None = None) -> None:
        assert self.resource is not None
        self.context.call(f"Upload {path.name}", browser.upload, self.resource.name, key or path.name, path,
                          trigger=self.upload_button, on_success=lambda _none: self.refresh())

    def choose_download(self) -> None:
        chosen = self.objects.payload()
        if chosen is None:
            self.context.message_bar.info("Select an object to download")
            return
        dialog = QFileDialog(self, "Save the object as")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(chosen["key"].rsplit("/", 1)[-1])
        dialog.fileSelected.connect(lambda name: self.download(chosen["key"], Path(name)))
        dialog.open()

    def download(self, key: str, path: Path) -> None:
        assert self.resource is not None
        self.context.call(f"Download {key}", browser.download, self.resource.name, key, path,
                          trigger=self.download_button,
                          on_success=lambda size: self.context.message_bar.info(f"{key}: {size} bytes saved"))


PANELS: tuple[type[ResourcePanel], ...] = (QueuePanel, TopicPanel, StreamPanel, TablePanel, BusPanel, BucketPanel)
