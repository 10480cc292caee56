"""The message bar: where the result of every failed (or noteworthy) action lands.

Errors stay until dismissed and keep their traceback behind a Details button, so nothing that went wrong
in a slot or a coroutine is lost in a terminal nobody looks at. Every message is also kept in `history`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workbench.gui import theme

log = logging.getLogger(__name__)

#: Informational messages hide themselves after this long; errors and warnings wait for the user.
INFO_TIMEOUT_MS = 8000
HISTORY_LIMIT = 200


#: Between the symbol and the text.
ICON_GAP = 8


def glyph_width(label: QLabel) -> int:
    """The width ``label``'s text really paints: the larger of its advance and its ink, which differ when
    the glyph comes from a fallback font."""
    metrics = label.fontMetrics()
    text = label.text()
    ink = metrics.boundingRect(text)
    return max(metrics.horizontalAdvance(text), ink.right() + 1, ink.width()) + 2


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Message:
    level: Level
    text: str
    details: str = ""


class MessageBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setAutoFillBackground(True)   # opaque over the editor it floats on
        self.history: list[Message] = []
        self._host: QWidget | None = None
        # The symbol sits beside the text, on its first line, in a box as wide as the glyph it shows: a
        # label sized to the font's advance let a wider fallback glyph spill over the first character.
        self._icon = QLabel()
        self._icon.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._icon.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self._text = QLabel()
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._details_button = QPushButton("Details")
        self._details_button.setCheckable(True)
        self._details_button.toggled.connect(self._toggle_details)
        self._close_button = QPushButton("Dismiss")
        self._close_button.clicked.connect(self.dismiss)
        self._details = QPlainTextEdit()
        self._details.setReadOnly(True)
        self._details.setFont(theme.monospace_font())
        self._details.setMaximumHeight(180)
        self._details.hide()
        row = QHBoxLayout()
        self._row = row
        row.setContentsMargins(10, 6, 10, 6)
        row.setSpacing(ICON_GAP)   # its own: the outer layout's 0 would put the icon against the text
        row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self._text, 1)
        row.addWidget(self._details_button)
        row.addWidget(self._close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(row)
        layout.addWidget(self._details)
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.dismiss)
        self.hide()

    def attach_overlay(self, host: QWidget) -> None:
        """Float over the top of ``host`` (its child) instead of taking a place in a layout, so showing and
        hiding a message never moves what is below it (the editor's text stays where the eye is)."""
        self._host = host
        host.installEventFilter(self)
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._host and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        if self._host is None:
            return
        width = self._host.width()
        height = self.heightForWidth(width) if self.hasHeightForWidth() else self.sizeHint().height()
        # The layout's estimate can miss a wrapped line (it measures the label before the style sheet's font):
        # the label's own height at the width it gets decides, so a long message is never cut off.
        spacing = self._row.spacing()
        buttons = sum(b.sizeHint().width() + spacing for b in (self._details_button, self._close_button)
                      if not b.isHidden())
        text_width = max(50, width - 20 - self._icon.minimumWidth() - spacing - buttons)
        details = self._details.sizeHint().height() if not self._details.isHidden() else 0
        height = max(height, self._text.heightForWidth(text_width) + 12 + details)
        self.setGeometry(0, 0, width, height)
        self.raise_()

    @property
    def current(self) -> Message | None:
        return self.history[-1] if self.history and not self.isHidden() else None

    def show_message(self, level: Level, text: str, details: str = "") -> None:
        message = Message(level, text, details)
        self.history.append(message)
        del self.history[:-HISTORY_LIMIT]
        if level is Level.ERROR:
            log.warning("%s%s", text, f"\n{details}" if details else "")
        background, foreground, symbol = theme.MESSAGE_STYLES[level.value]
        self.setStyleSheet(f"#messageBar {{ background: {background}; border-bottom: 2px solid {foreground}; }}"
                           f"#messageBar QLabel {{ color: {foreground}; }}")
        self._icon.setText(symbol)
        self._icon.setFixedWidth(glyph_width(self._icon))
        self._text.setText(text)
        self._details.setPlainText(details)
        self._details_button.setVisible(bool(details))
        self._details_button.setChecked(False)
        self.show()
        self._place()
        if level is Level.INFO:
            self._hide_timer.start(INFO_TIMEOUT_MS)
        else:
            self._hide_timer.stop()

    def info(self, text: str, details: str = "") -> None:
        self.show_message(Level.INFO, text, details)

    def warning(self, text: str, details: str = "") -> None:
        self.show_message(Level.WARNING, text, details)

    def error(self, text: str, details: str = "") -> None:
        self.show_message(Level.ERROR, text, details)

    def dismiss(self) -> None:
        self._hide_timer.stop()
        self.hide()

    def _toggle_details(self, shown: bool) -> None:
        self._details.setVisible(shown)
        self._place()
