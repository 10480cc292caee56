"""A small read-only table filled from rows of values: the resource browser's messages, items, records and
objects, and the triggers' mappings. For tens to hundreds of rows (a page), not a million (see table_view)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from workbench.gui.widgets.header_fit import keep_titles_whole


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), default=str)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


class RecordTable(QTableWidget):
    def __init__(self, columns: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(0, len(columns), parent)
        self.setHorizontalHeaderLabels(list(columns))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        keep_titles_whole(self)
        self._payloads: list[Any] = []

    def set_rows(self, rows: Sequence[Sequence[Any]], payloads: Sequence[Any] | None = None) -> None:
        """Replace the rows, keeping the selected row's position when it still exists (a live refresh must not
        throw the user's selection away)."""
        selected = self.currentRow()
        self.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                text = cell_text(value)
                item = self.item(row, column)
                if item is None:
                    self.setItem(row, column, QTableWidgetItem(text))
                elif item.text() != text:
                    item.setText(text)
        self._payloads = list(payloads) if payloads is not None else [None] * len(rows)
        if 0 <= selected < len(rows):
            self.selectRow(selected)

    def payload(self, row: int | None = None) -> Any:
        """What the row was filled from (the selected row by default); None when nothing is selected."""
        row = self.currentRow() if row is None else row
        return self._payloads[row] if 0 <= row < len(self._payloads) else None

    def column_values(self, column: int) -> list[str]:
        return [item.text() if (item := self.item(row, column)) is not None else "" for row in range(self.rowCount())]
