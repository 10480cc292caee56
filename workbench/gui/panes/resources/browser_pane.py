"""The local resources browser: every queue, topic, stream, table, event bus and bucket of the local services
(or the external endpoint), and a panel to act on the selected one.

The list is read when asked (Refresh, which starts the services if they are not running) and again every few
seconds while the pane is visible and the services run, so a queue's depth follows a demo without a click.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.gui.operations import Operations
from workbench.gui.panes.resources.context import BrowserContext
from workbench.gui.panes.resources.panels import PANELS, ResourcePanel
from workbench.gui.session import EngineSession
from workbench.gui.widgets.header_fit import keep_titles_whole
from workbench.gui.widgets.message_bar import MessageBar
from workbench.services.browser import Endpoint
from workbench.services.inventory import ResourceInfo, inventory

AUTO_REFRESH_MS = 3000
KIND_TITLES = {"AWS::SQS::Queue": "Queues", "AWS::SNS::Topic": "Topics", "AWS::Kinesis::Stream": "Streams",
               "AWS::DynamoDB::Table": "Tables", "AWS::Events::EventBus": "Event buses",
               "AWS::S3::Bucket": "Buckets"}


def _inventory(endpoint: Endpoint) -> list[ResourceInfo]:
    return inventory(endpoint.url, endpoint.region)


class ResourcesBrowserPane(QWidget):
    def __init__(self, session: EngineSession, operations: Operations, message_bar: MessageBar,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = BrowserContext(session, operations, message_bar)
        self.resources: list[ResourceInfo] = []
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Resource", "Size"])
        self.tree.setColumnWidth(0, 170)
        keep_titles_whole(self.tree)
        self.tree.currentItemChanged.connect(self._selected)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Read the resources again (starts the local services if they are not running)")
        self.refresh_button.clicked.connect(self.refresh)
        self.empty = QLabel("Select a resource.\nSending a message into a queue or a record into a stream that a "
                            "trigger reads starts an event source demo.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.panels: dict[str, ResourcePanel] = {}
        for panel_type in PANELS:
            panel = panel_type(self.context)
            self.panels[panel.kind] = panel
            self.stack.addWidget(panel)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Local resources"), 1)
        bar.addWidget(self.refresh_button)
        left_layout.addLayout(bar)
        left_layout.addWidget(self.tree, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self._refreshing: asyncio.Task[list[ResourceInfo] | None] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(AUTO_REFRESH_MS)
        self._timer.timeout.connect(self._auto_refresh)
        self._timer.start()

    def refresh(self) -> asyncio.Task[list[ResourceInfo] | None]:
        """Read the inventory again, and the selected resource's panel."""
        if self._refreshing is not None and not self._refreshing.done():
            return self._refreshing
        self._refreshing = self.context.call("Read the local resources", _inventory, trigger=self.refresh_button,
                                             on_success=self.show_resources)
        return self._refreshing

    def _auto_refresh(self) -> None:
        if self.isVisible() and self.context.services_running() and self.context.session.engine is not None:
            self.refresh()

    def show_resources(self, resources: list[ResourceInfo]) -> None:
        selected = self.selected()
        self.resources = resources
        groups: dict[str, QTreeWidgetItem] = {}
        self.tree.blockSignals(True)
        self.tree.clear()
        current: QTreeWidgetItem | None = None
        for resource in resources:
            group = groups.get(resource.kind)
            if group is None:
                group = groups[resource.kind] = QTreeWidgetItem(self.tree, [KIND_TITLES.get(resource.kind,
                                                                                            resource.kind), ""])
                group.setExpanded(True)
                group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            item = QTreeWidgetItem(group, [resource.name, resource.size])
            item.setToolTip(0, resource.url or resource.arn)
            item.setData(0, Qt.ItemDataRole.UserRole, resource)
            if selected is not None and (resource.kind, resource.arn) == (selected.kind, selected.arn):
                current = item
        if current is not None:
            self.tree.setCurrentItem(current)
        self.tree.blockSignals(False)
        panel = self.panels.get(selected.kind) if selected is not None else None
        if current is not None and panel is not None:
            panel.show_resource(current.data(0, Qt.ItemDataRole.UserRole))
        elif current is None:
            self.stack.setCurrentWidget(self.empty)

    def selected(self) -> ResourceInfo | None:
        item = self.tree.currentItem()
        data = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return data if isinstance(data, ResourceInfo) else None

    def select(self, name: str) -> ResourcePanel:
        """Select the resource called ``name`` (lessons and tests); returns its panel."""
        for resource in self.resources:
            if resource.name == name:
                for item in self.tree.findItems(name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive):
                    if item.data(0, Qt.ItemDataRole.UserRole) == resource:
                        self.tree.setCurrentItem(item)
                        return self.panels[resource.kind]
        raise KeyError(name)

    def _selected(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        resource = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if not isinstance(resource, ResourceInfo) or resource.kind not in self.panels:
            self.stack.setCurrentWidget(self.empty)
            return
        panel = self.panels[resource.kind]
        self.stack.setCurrentWidget(panel)
        panel.show_resource(resource)
