"""A one-line label that elides its text ("Cold against warm · gree…") to the width it gets, with the whole text
in its tooltip: a toolbar-like row keeps one line and never shows a word cut in half."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._own_tooltip = ""
        self._sync_tooltip()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._sync_tooltip()

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt's name
        self._own_tooltip = tip
        self._sync_tooltip()

    def shown_text(self) -> str:
        """The text as drawn: whole if it fits, else elided at the right."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        # An ellipsis and a letter or two: the row can shrink without the label holding it open.
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().horizontalAdvance("Co…"), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._sync_tooltip()

    def _sync_tooltip(self) -> None:
        # The whole text when it is cut short; otherwise whatever tooltip the owner set.
        elided = self.shown_text() != self.text()
        super().setToolTip(self.text() if elided and not self._own_tooltip else self._own_tooltip)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        del event
        painter = QPainter(self)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.contentsRect(), int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), self.shown_text())
        painter.end()
