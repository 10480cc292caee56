"""The Configuration view's concurrency and versions-and-aliases tabs: tables over the engine's state with
the controls that change it (the view wires the buttons to the engine)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.engine import Alias, FunctionEntry, ProvisionedConfig
from workbench.gui.widgets.header_fit import keep_titles_whole

NO_EXTRA = "(none)"


def _read_only_table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setStretchLastSection(True)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    keep_titles_whole(table)
    return table


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))


class ConcurrencyTab(QWidget):
    """Reserved concurrency of the function, and provisioned concurrency per version or alias with its live
    status (IN_PROGRESS while environments initialise, then READY)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reserved_label = QLabel()
        self.reserved = QSpinBox()
        self.reserved.setRange(0, 100_000)
        self.set_reserved = QPushButton("Set &reserved")
        self.clear_reserved = QPushButton("Remove")
        self.clear_reserved.setToolTip("Remove the reserved concurrency: the function shares the unreserved pool")
        self.provisioned = _read_only_table(["Qualifier", "Requested", "Allocated", "Status"])
        self.qualifier = QComboBox()
        self.count = QSpinBox()
        self.count.setRange(1, 100_000)
        self.set_provisioned = QPushButton("Set &provisioned")
        self.clear_provisioned = QPushButton("Remove")
        self.clear_provisioned.setToolTip("Remove the provisioned concurrency of the selected version or alias")
        # Short rows: the tab fits beside the section list in the central area at 1280x800.
        reserved_row = QHBoxLayout()
        reserved_row.addWidget(self.reserved_label, 1)
        for button in (self.reserved, self.set_reserved, self.clear_reserved):
            reserved_row.addWidget(button)
        provisioned_row = QHBoxLayout()
        for widget in (self.qualifier, self.count, self.set_provisioned, self.clear_provisioned):
            provisioned_row.addWidget(widget)
        provisioned_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(reserved_row)
        layout.addWidget(QLabel("Provisioned concurrency (per published version or alias):"))
        layout.addWidget(self.provisioned, 1)
        layout.addLayout(provisioned_row)

    def load(self, reserved: int | None, configs: list[ProvisionedConfig], qualifiers: list[str]) -> None:
        # Short (the row must fit beside the section list at 1280x800); the tooltip says it in full.
        self.reserved_label.setText("Reserved: " + ("none" if reserved is None else str(reserved)))
        self.reserved_label.setToolTip("Reserved concurrency: " + (
            "none, the function shares the account's unreserved pool" if reserved is None else
            f"{reserved} environments at most, set aside for this function"))
        if reserved is not None:
            self.reserved.setValue(reserved)
        self.clear_reserved.setEnabled(reserved is not None)
        _fill(self.provisioned, [[c.qualifier, str(c.requested), str(c.allocated), c.status]
                                 for c in sorted(configs, key=lambda c: c.qualifier)])
        chosen = self.qualifier.currentText()
        self.qualifier.clear()
        self.qualifier.addItems(qualifiers)
        if chosen in qualifiers:
            self.qualifier.setCurrentText(chosen)
        self.set_provisioned.setEnabled(bool(qualifiers))
        self.clear_provisioned.setEnabled(bool(configs))

    def show_status(self, qualifier: str, requested: int, allocated: int, status: str) -> None:
        """A ProvisionedConcurrencyChanged event: update its row in place (or add it)."""
        for row in range(self.provisioned.rowCount()):
            if cell(self.provisioned, row, 0) == qualifier:
                break
        else:
            row = self.provisioned.rowCount()
            self.provisioned.insertRow(row)
        for column, text in enumerate([qualifier, str(requested), str(allocated), status]):
            self.provisioned.setItem(row, column, QTableWidgetItem(text))
        self.clear_provisioned.setEnabled(True)

    def status_of(self, qualifier: str) -> str | None:
        for row in range(self.provisioned.rowCount()):
            if cell(self.provisioned, row, 0) == qualifier:
                return cell(self.provisioned, row, 3)
        return None

    def selected_provisioned(self) -> str | None:
        row = self.provisioned.currentRow()
        return cell(self.provisioned, row, 0) if row >= 0 else self.qualifier.currentText() or None

    def set_editable(self, editable: bool) -> None:
        for widget in (self.reserved, self.set_reserved, self.clear_reserved, self.qualifier, self.count,
                       self.set_provisioned, self.clear_provisioned):
            widget.setVisible(editable)


class AliasesTab(QWidget):
    """Published versions, and aliases with their version and routing weight (edit, delete)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.versions = _read_only_table(["Version", "Description"])
        self.aliases = _read_only_table(["Alias", "Version", "Routing"])
        self.version = QComboBox()
        self.extra = QComboBox()
        self.weight = QDoubleSpinBox()
        self.weight.setRange(0.0, 1.0)
        self.weight.setSingleStep(0.05)
        self.weight.setDecimals(2)
        self.update_button = QPushButton("&Update alias")
        self.delete_button = QPushButton("&Delete alias…")
        self.aliases.currentCellChanged.connect(lambda *_: self._alias_selected())
        self.weight.setToolTip("The share of invocations routed to the additional version")
        for combo in (self.version, self.extra):   # version numbers: narrow boxes, the routing row stays short
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(3)
        # The two tables side by side and the selected alias's routing in one row below them: short enough
        # for the central area at 1280x800 (the tables' headers say which is which).
        tables = QHBoxLayout()
        tables.addWidget(self.versions, 2)
        tables.addWidget(self.aliases, 3)
        routing = QHBoxLayout()
        for widget in (QLabel("Version"), self.version, QLabel("plus"), self.extra, QLabel("at"),
                       self.weight):
            routing.addWidget(widget)
        routing.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.update_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(tables, 1)
        layout.addLayout(routing)
        layout.addLayout(buttons)
        self._aliases: dict[str, Alias] = {}

    def load(self, entry: FunctionEntry) -> None:
        numbers = sorted(entry.versions, key=lambda v: int(v) if v.isdigit() else 0)
        _fill(self.versions, [[v, entry.versions[v].config.description] for v in numbers])
        selected = self.selected_alias()
        self._aliases = dict(sorted(entry.aliases.items()))
        _fill(self.aliases, [[a.name, a.function_version, ", ".join(f"{v}: {w:.0%}" for v, w in
                                                                    a.additional_weights)]
                             for a in self._aliases.values()])
        for combo, extra in ((self.version, []), (self.extra, [NO_EXTRA])):
            combo.clear()
            combo.addItems(extra + numbers)
        names = list(self._aliases)
        if names:
            self.aliases.setCurrentCell(names.index(selected) if selected in names else 0, 0)
        self._alias_selected()

    def selected_alias(self) -> str | None:
        row = self.aliases.currentRow()
        return cell(self.aliases, row, 0) or None if row >= 0 else None

    def _alias_selected(self) -> None:
        alias = self._aliases.get(self.selected_alias() or "")
        for widget in (self.version, self.extra, self.weight, self.update_button, self.delete_button):
            widget.setEnabled(alias is not None)
        if alias is None:
            return
        self.version.setCurrentText(alias.function_version)
        extra, weight = alias.additional_weights[0] if alias.additional_weights else (NO_EXTRA, 0.0)
        self.extra.setCurrentText(extra)
        self.weight.setValue(weight)

    def weights(self) -> dict[str, float]:
        extra = self.extra.currentText()
        return {} if extra in ("", NO_EXTRA) or self.weight.value() == 0 else {extra: self.weight.value()}

    def set_editable(self, editable: bool) -> None:
        for widget in (self.version, self.extra, self.weight, self.update_button, self.delete_button):
            widget.setVisible(editable)
