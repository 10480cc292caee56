"""The function tree: functions, their versions and aliases, with live badges.

A QAbstractItemModel over the engine's registry. Structure changes (another engine, a published version,
a new alias) reset the small tree; statistics only change badges, reported with dataChanged so the view
keeps its selection and expansion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from workbench.engine import EngineStatistics, EnvState, FunctionEntry, FunctionStatistics, InitType
from workbench.gui import theme
from workbench.model.arn import LATEST

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()   # the invisible root; a module constant, not a call per default argument
#: A list of (text, colour) pills the delegate paints after the name.
BADGES_ROLE = Qt.ItemDataRole.UserRole + 1
#: The TreeNode itself, for context menus.
NODE_ROLE = Qt.ItemDataRole.UserRole + 2


class NodeKind(StrEnum):
    FUNCTION = "function"
    VERSION = "version"
    ALIAS = "alias"
    LAYER = "layer"


@dataclass(eq=False)
class TreeNode:
    kind: NodeKind
    function: str
    key: str                 # the function name, a version ("$LATEST", "3") or an alias name
    label: str
    tooltip: str = ""
    parent: TreeNode | None = None
    children: list[TreeNode] = field(default_factory=list)
    badges: list[tuple[str, str]] = field(default_factory=list)

    @property
    def qualifier(self) -> str | None:
        return self.key if self.kind in (NodeKind.VERSION, NodeKind.ALIAS) else None


def _version_sort_key(version: str) -> tuple[int, int]:
    return (0, 0) if version == LATEST else (1, int(version) if version.isdigit() else 0)


def build_nodes(entries: list[FunctionEntry]) -> list[TreeNode]:
    roots: list[TreeNode] = []
    for entry in sorted(entries, key=lambda e: e.name):
        config = entry.config
        node = TreeNode(NodeKind.FUNCTION, entry.name, entry.name, entry.name,
                        f"{entry.name}\n{config.runtime} · {config.handler} · {config.memory_size} MB · "
                        f"timeout {config.timeout} s" + (f"\n{config.description}" if config.description else ""))
        versions = [(LATEST, entry.latest), *sorted(entry.versions.items(), key=lambda kv: _version_sort_key(kv[0]))]
        for version, _ in versions:
            label = "$LATEST" if version == LATEST else f"version {version}"
            node.children.append(TreeNode(NodeKind.VERSION, entry.name, version, label, parent=node,
                                          tooltip=f"{entry.name}:{version}"))
        for alias in sorted(entry.aliases.values(), key=lambda a: a.name):
            routing = f" → {alias.function_version}"
            for extra, weight in alias.additional_weights:
                routing += f" ({extra}: {weight:.0%})"
            node.children.append(TreeNode(NodeKind.ALIAS, entry.name, alias.name, f"alias {alias.name}{routing}",
                                          parent=node, tooltip=alias.description or f"{entry.name}:{alias.name}"))
        for layer in entry.latest.layers:   # as resolved for $LATEST: in order, each at its version
            node.children.append(TreeNode(NodeKind.LAYER, entry.name, layer.arn,
                                          f"layer {layer.name}:{layer.version}", parent=node,
                                          tooltip=f"{layer.arn}\n{layer.description}".strip()))
        roots.append(node)
    return roots


def structure_of(entries: list[FunctionEntry]) -> tuple[Any, ...]:
    """What the tree's shape depends on; a change of it resets the model."""
    return tuple(
        (e.name, tuple(sorted(e.versions)), tuple(layer.arn for layer in e.latest.layers),
         tuple(sorted((a.name, a.function_version, a.additional_weights) for a in e.aliases.values())))
        for e in sorted(entries, key=lambda e: e.name))


def badges_for(stats: FunctionStatistics) -> list[tuple[str, str]]:
    warm = sum(1 for env in stats.environments if env.state in (EnvState.IDLE, EnvState.FROZEN)
               and env.init_type is not InitType.PROVISIONED)
    busy = stats.count(EnvState.BUSY)
    provisioned = sum(1 for env in stats.environments if env.init_type is InitType.PROVISIONED)
    badges: list[tuple[str, str]] = []
    if busy:
        badges.append((f"{busy} busy", theme.STATE_COLOURS["busy"]))
    if warm:
        badges.append((f"{warm} warm", theme.STATE_COLOURS["frozen"]))
    if stats.reserved_concurrency is not None:
        badges.append((f"reserved {stats.reserved_concurrency}", theme.RESERVED_COLOUR))
    if provisioned or stats.provisioned_concurrency:
        badges.append((f"provisioned {provisioned}/{stats.provisioned_concurrency}", theme.PROVISIONED_COLOUR))
    return badges


class FunctionTreeModel(QAbstractItemModel):
    def __init__(self) -> None:
        super().__init__()
        self._roots: list[TreeNode] = []
        self._structure: tuple[Any, ...] = ()

    # -- updates ----------------------------------------------------------------------------------------
    def set_entries(self, entries: list[FunctionEntry]) -> None:
        structure = structure_of(entries)
        if structure == self._structure and self._roots:
            return
        self.beginResetModel()
        self._roots = build_nodes(entries)
        self._structure = structure
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._roots, self._structure = [], ()
        self.endResetModel()

    def update_statistics(self, statistics: EngineStatistics) -> None:
        by_name = {f.name: f for f in statistics.functions}
        for row, node in enumerate(self._roots):
            stats = by_name.get(node.function)
            badges = badges_for(stats) if stats is not None else []
            if badges != node.badges:
                node.badges = badges
                index = self.index(row, 0)
                self.dataChanged.emit(index, index, [BADGES_ROLE])

    def function_rows(self) -> list[TreeNode]:
        return list(self._roots)

    @staticmethod
    def path_of(index: QModelIndex | QPersistentModelIndex) -> tuple[tuple[str, str], ...]:
        """A node's identity that outlives a model reset: (kind, key) from its function down."""
        node: TreeNode | None = index.internalPointer() if index.isValid() else None
        path: list[tuple[str, str]] = []
        while node is not None:
            path.append((node.kind.value, node.key))
            node = node.parent
        return tuple(reversed(path))

    def index_of_path(self, path: tuple[tuple[str, str], ...]) -> QModelIndex:
        """The node at ``path`` now (an invalid index when it is gone)."""
        index, nodes = QModelIndex(), self._roots
        for kind, key in path:
            row = next((r for r, n in enumerate(nodes) if (n.kind.value, n.key) == (kind, key)), None)
            if row is None:
                return QModelIndex()
            index = self.index(row, 0, index)
            nodes = nodes[row].children
        return index

    def index_of_function(self, name: str) -> QModelIndex:
        for row, node in enumerate(self._roots):
            if node.function == name:
                return self.index(row, 0)
        return QModelIndex()

    # -- QAbstractItemModel -----------------------------------------------------------------------------
    def _node(self, index: Index) -> TreeNode | None:
        return index.internalPointer() if index.isValid() else None

    def index(self, row: int, column: int, parent: Index = ROOT) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        parent_node = self._node(parent)
        children = parent_node.children if parent_node is not None else self._roots
        if row >= len(children):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: Index = ROOT) -> QModelIndex:  # type: ignore[override]
        node = self._node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        grandparent = node.parent.parent
        siblings = grandparent.children if grandparent is not None else self._roots
        return self.createIndex(siblings.index(node.parent), 0, node.parent)

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt's name
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self._node(parent)
        return len(node.children) if node is not None else len(self._roots)

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802 - Qt's name
        return 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return node.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return node.tooltip
        if role == BADGES_ROLE:
            return list(node.badges)
        if role == NODE_ROLE:
            return node
        if role == Qt.ItemDataRole.FontRole and node.kind is NodeKind.FUNCTION:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and section == 0:
            return "Function"
        return None
