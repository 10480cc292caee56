"""The function tree pane: functions with their versions and aliases, live badges (busy, warm, reserved,
provisioned), and the context actions a function offers."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QPainter, QResizeEvent
from PySide6.QtWidgets import (
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from workbench.engine import Engine, EngineStatistics
from workbench.gui.models.function_tree import BADGES_ROLE, NODE_ROLE, FunctionTreeModel, NodeKind, TreeNode
from workbench.gui.operations import Operations
from workbench.gui.panes.function_actions import FunctionActions
from workbench.gui.session import EngineSession
from workbench.gui.widgets.message_bar import MessageBar
from workbench.model.arn import LATEST

#: One line of the tree: a name, or a row of badges.
LINE_HEIGHT = 26
#: The widest badge the tree must always show whole ("provisioned 100/100"): the tree never gets narrower.
WIDEST_BADGE = "provisioned 100/100"
BADGE_PADDING = 12   # left and right of a badge's text, together
BADGE_GAP = 5        # between two badges
NAME_GAP = 8         # between the name and the first badge on its line


def badge_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setPointSize(max(8, font.pointSize() - 2))
    font.setBold(True)
    return font


@dataclass(frozen=True, slots=True)
class PlacedBadge:
    rect: QRect
    text: str
    colour: str


class BadgeDelegate(QStyledItemDelegate):
    """Paints the item's text, then its badges as coloured pills, flowing like words: on the name's line while
    they fit, then on lines of their own under the name. A badge is never cut at the tree's edge, and each
    keeps its whole words ("reserved 5") so it reads from the back of a classroom — a short form ("R5") would
    need a hover a projector audience cannot do, and sideways scrolling would hide what the lesson is about."""

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self._view = view

    def _styled(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
                ) -> QStyleOptionViewItem:
        styled = QStyleOptionViewItem(option)
        self.initStyleOption(styled, index)
        return styled

    def _text_margin(self) -> int:
        # What QCommonStyle leaves left of an item's text.
        return self._view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self._view) + 1

    def place_badges(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex,
                     item: QRect) -> list[PlacedBadge]:
        """Where each badge goes for an item drawn in ``item`` (its left, top and right edges count)."""
        badges = index.data(BADGES_ROLE) or []
        if not badges:
            return []
        styled = self._styled(option, index)
        metrics = QFontMetrics(badge_font(self._view.font()))
        margin = self._text_margin()
        start = item.left() + margin
        x = start + QFontMetrics(styled.font).horizontalAdvance(styled.text) + NAME_GAP
        top = item.top()
        placed: list[PlacedBadge] = []
        for text, colour in badges:
            width = metrics.horizontalAdvance(text) + BADGE_PADDING
            if x + width > item.right() - margin and x > start:   # wrap onto a line of its own
                x, top = start, top + LINE_HEIGHT
            placed.append(PlacedBadge(QRect(x, top + 3, width, LINE_HEIGHT - 6), text, colour))
            x += width + BADGE_GAP
        return placed

    def _item_rect(self, index: QModelIndex | QPersistentModelIndex) -> QRect:
        """The item's horizontal extent in the viewport, computed as QTreeView does (no layout needed)."""
        depth = 0
        parent = index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        indent = self._view.indentation() * (depth + (1 if self._view.rootIsDecorated() else 0))
        return QRect(indent, 0, max(0, self._view.viewport().width() - indent), LINE_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        rect = QRect(option.rect)
        # Flow within what the viewport shows (as sizeHint measured), even if the column were wider.
        shown = QRect(rect.left(), rect.top(), min(rect.width(), self._view.viewport().width() - rect.left()),
                      rect.height())
        placed = self.place_badges(option, index, shown)
        if placed and placed[-1].rect.bottom() > rect.top() + LINE_HEIGHT:
            # Badges below the name: the selection covers the whole item, the name stays on its first line.
            styled = self._styled(option, index)
            style = self._view.style()
            name = styled.text
            styled.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, styled, painter, self._view)
            styled.text = name
            styled.rect = QRect(rect.left(), rect.top(), rect.width(), LINE_HEIGHT)
            styled.state &= ~QStyle.StateFlag.State_HasFocus
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, styled, painter, self._view)
        else:
            super().paint(painter, option, index)
        if not placed:
            return
        painter.save()
        painter.setFont(badge_font(self._view.font()))
        for badge in placed:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(badge.colour))
            painter.drawRoundedRect(badge.rect, 7, 7)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(badge.rect, Qt.AlignmentFlag.AlignCenter, badge.text)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        placed = self.place_badges(option, index, self._item_rect(index))
        lines = 1 + (placed[-1].rect.top() // LINE_HEIGHT if placed else 0)
        return QSize(size.width(), max(size.height(), LINE_HEIGHT * lines))


class FunctionTreeView(QTreeView):
    """The tree, re-measuring its rows when its width changes (badges may move to or from their own line),
    and never narrower than one line for the widest badge, so no badge is ever cut."""

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        badge = QFontMetrics(badge_font(self.font())).horizontalAdvance(WIDEST_BADGE) + BADGE_PADDING
        frame = 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()
        return QSize(max(hint.width(), self.indentation() + badge + 12 + frame), hint.height())


class FunctionsPane(QWidget):
    invoke_requested = Signal(str, object)      # function, qualifier (None for $LATEST)
    open_code_requested = Signal(str)           # function
    show_logs_requested = Signal(str)           # function
    show_graph_requested = Signal(str)          # function
    delete_requested = Signal(str)              # function
    new_function_requested = Signal()
    configuration_requested = Signal(str, object)   # function, qualifier (None for $LATEST)
    #: Functions, versions or aliases changed (engine CatalogueChanged events); panes listing qualifiers refresh.
    structure_changed = Signal()

    def __init__(self, session: EngineSession, operations: Operations, message_bar: MessageBar,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._operations = operations
        self.function_actions = FunctionActions(session, operations, message_bar, self)
        self.model = FunctionTreeModel()
        self.view = FunctionTreeView()
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.delegate = BadgeDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.setExpandsOnDoubleClick(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.menu: QMenu | None = None

    def refresh(self, engine: Engine | None) -> None:
        if engine is None:
            self.model.clear()
            return
        # A rebuild (a version published, an alias created) resets the model: what was expanded and selected
        # is remembered by path and put back, so the tree does not collapse under the user's hand.
        first = self.model.rowCount() == 0
        known = {self.model.path_of(self.model.index(r, 0)) for r in range(self.model.rowCount())}
        expanded = [path for path in self._all_paths() if self.view.isExpanded(self.model.index_of_path(path))]
        selected = self.model.path_of(self.view.currentIndex())
        self.model.set_entries(engine.function_entries())
        if first:
            self.view.expandAll()
            return
        for path in expanded:
            self.view.expand(self.model.index_of_path(path))
        for row in range(self.model.rowCount()):   # a new function arrives expanded
            index = self.model.index(row, 0)
            if self.model.path_of(index) not in known:
                self.view.expand(index)
        if selected:
            index = self.model.index_of_path(selected)
            if index.isValid():
                self.view.setCurrentIndex(index)

    def _all_paths(self) -> list[tuple[tuple[str, str], ...]]:
        paths: list[tuple[tuple[str, str], ...]] = []
        pending = [self.model.index(r, 0) for r in range(self.model.rowCount())]
        while pending:
            index = pending.pop()
            if self.model.rowCount(index):
                paths.append(self.model.path_of(index))
                pending += [self.model.index(r, 0, index) for r in range(self.model.rowCount(index))]
        return paths

    def catalogue_changed(self) -> None:
        """The engine announced a change (from any face): rebuild the tree from the façade once per batch."""
        self.refresh(self._session.engine)
        self.structure_changed.emit()

    def update_statistics(self, statistics: EngineStatistics) -> None:
        engine = self._session.engine
        if engine is None:
            return
        self.model.update_statistics(statistics)
        self.view.viewport().update()

    def _double_clicked(self, index: QModelIndex) -> None:
        node: TreeNode | None = index.data(NODE_ROLE)
        if node is not None:
            self.open_code_requested.emit(node.function)

    def menu_for(self, node: TreeNode) -> QMenu:
        menu = QMenu(self)
        name, qualifier = node.function, node.qualifier
        target = name if qualifier is None else f"{name}:{qualifier}"
        menu.addAction(f"Invoke {target}", lambda: self.invoke_requested.emit(name, qualifier))
        menu.addAction("Open code", lambda: self.open_code_requested.emit(name))
        menu.addAction("Show logs", lambda: self.show_logs_requested.emit(name))
        menu.addAction("Show in the concurrency graph", lambda: self.show_graph_requested.emit(name))
        menu.addAction("Configuration…", lambda: self.configuration_requested.emit(name, qualifier))
        menu.addSeparator()
        actions = self.function_actions
        if node.kind is NodeKind.FUNCTION:
            menu.addAction("Publish a version…", lambda: actions.publish_version(name))
            menu.addAction("Create an alias…", lambda: actions.create_alias(name))
            menu.addSeparator()
            menu.addAction("Set reserved concurrency…", lambda: actions.set_reserved(name))
            if actions.has_reserved(name):
                menu.addAction("Remove reserved concurrency", lambda: actions.clear_reserved(name))
            menu.addAction("Set provisioned concurrency…", lambda: actions.set_provisioned(name))
        elif node.kind is NodeKind.VERSION:
            menu.addAction(f"Create an alias of {qualifier}…", lambda: actions.create_alias(name, qualifier))
            if qualifier != LATEST:
                menu.addAction("Set provisioned concurrency…", lambda: actions.set_provisioned(name, qualifier))
        else:
            menu.addAction("Set provisioned concurrency…", lambda: actions.set_provisioned(name, qualifier))
        for provisioned in actions.provisioned_qualifiers(name):
            if qualifier in (None, provisioned):
                menu.addAction(f"Remove provisioned concurrency of {provisioned}",
                               functools.partial(actions.clear_provisioned, name, provisioned))
        menu.addAction("Export as ZIP…", lambda: actions.export_zip(name, qualifier))
        menu.addSeparator()
        stop = QAction("Stop warm environments", menu)
        stop.triggered.connect(lambda: self.stop_environments(name, stop))
        menu.addAction(stop)
        if node.kind is NodeKind.FUNCTION:
            menu.addSeparator()
            menu.addAction("New function…", self.new_function_requested.emit)
            menu.addAction(f"Delete {name}…", lambda: self.delete_requested.emit(name))
        return menu

    def stop_environments(self, name: str, trigger: QAction | None = None) -> None:
        self._operations.run(f"Stop the environments of {name}",
                             lambda: self._session.require().stop_environments(name), trigger=trigger)

    def _context_menu(self, position: QPoint) -> None:
        node: TreeNode | None = self.view.indexAt(position).data(NODE_ROLE)
        if node is None:
            return
        self.menu = self.menu_for(node)
        self.menu.popup(self.view.viewport().mapToGlobal(position))   # popup, not exec: never blocks the loop
