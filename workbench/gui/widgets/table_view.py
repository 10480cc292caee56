"""A flat table view that stays cheap with a million rows.

QTreeView keeps a layout entry per row and rebuilds it when rows arrive; QTableView with a fixed-height,
hidden vertical header computes row positions arithmetically, so appending a batch or scrolling to the
bottom costs the same at a million rows as at ten.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from workbench.gui.widgets.header_fit import keep_titles_whole


def flat_table(model: QAbstractItemModel, column_widths: tuple[int, ...] = (),
               parent: QWidget | None = None) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 6)
    columns = view.horizontalHeader()
    columns.setStretchLastSection(True)
    columns.setHighlightSections(False)
    columns.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for column, width in enumerate(column_widths):
        columns.resizeSection(column, width)
    keep_titles_whole(view)
    return view
