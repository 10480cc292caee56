"""A label for an identifier (a request id): shown whole when it fits, else elided at the end (its start is what
the Logs' Request column shows) with the whole id in its tooltip, and copied whole from its context menu. An id
cannot wrap (a UUID has no break a reader would accept), and a wrapping label with no break point paints past its
edge, cut by the dock."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QLabel, QMenu, QSizePolicy, QWidget


class IdLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._whole = text
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._fit()

    def text(self) -> str:
        """The whole id, whatever is shown."""
        return self._whole

    def shown_text(self) -> str:
        return super().text()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._whole = text
        self._fit()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.fontMetrics().horizontalAdvance(self._whole) + 2, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.fontMetrics().horizontalAdvance("4e3…5"), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def copy_whole(self) -> None:
        QGuiApplication.clipboard().setText(self._whole)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt's name
        # Copy gives the whole id even when the label shows it elided (a selection copies what is shown).
        menu = QMenu(self)
        menu.addAction("Copy request id", self.copy_whole)
        menu.popup(event.globalPos())

    def _fit(self) -> None:
        shown = self.fontMetrics().elidedText(self._whole, Qt.TextElideMode.ElideRight, self.contentsRect().width())
        if not shown:   # not laid out yet: show it whole, the first resize fits it
            shown = self._whole
        if shown != super().text():
            super().setText(shown)
        self.setToolTip(self._whole if shown != self._whole else "")
