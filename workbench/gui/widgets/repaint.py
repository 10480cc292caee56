"""Rendering at a pace a person can follow: a pane that is expensive to redraw asks for a refresh as often
as it likes and gets at most one every `interval_ms`. (Data still arrives through the bridge at its own
rate; this only spaces out the drawing.)"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class PacedRefresh(QObject):
    def __init__(self, callback: Callable[[], None], interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._callback = callback
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.run_now)

    def request(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def run_now(self) -> None:
        self._timer.stop()
        self._callback()
