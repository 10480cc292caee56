"""The status bar: engine state, backend, environment count, concurrency and invocations per second."""

from __future__ import annotations

from collections import deque

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from workbench.engine import EngineStatistics
from workbench.gui import theme

RATE_WINDOW_S = 2.0
STATE_COLOURS = {"running": theme.SUCCESS_COLOUR, "starting": theme.WARN_COLOUR, "stopping": theme.WARN_COLOUR,
                 "stopped": theme.MUTED_COLOUR}


class InvocationRate:
    """Invocations per second over the last couple of seconds of statistics snapshots."""

    def __init__(self, window_s: float = RATE_WINDOW_S) -> None:
        self.window_s = window_s
        self._points: deque[tuple[float, int]] = deque()

    def add(self, timestamp: float, invocations: int) -> float:
        self._points.append((timestamp, invocations))
        while len(self._points) > 2 and timestamp - self._points[0][0] > self.window_s:
            self._points.popleft()
        (t0, n0), (t1, n1) = self._points[0], self._points[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0

    def reset(self) -> None:
        self._points.clear()


class WorkbenchStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine_label = QLabel()
        self.backend_label = QLabel()
        self.environments_label = QLabel()
        self.concurrency_label = QLabel()
        self.rate_label = QLabel()
        for label in (self.engine_label, self.backend_label, self.environments_label, self.concurrency_label,
                      self.rate_label):
            self.addPermanentWidget(label)
        self.rate = InvocationRate()
        self.invocations_per_s = 0.0
        self.set_state("stopped")
        self.set_backend("process")
        self.environments_label.setText("Environments: 0")
        self.concurrency_label.setText("Concurrent: 0")
        self.rate_label.setText("Invocations/s: 0.0")

    def set_state(self, state: str) -> None:
        colour = STATE_COLOURS.get(state, theme.MUTED_COLOUR)
        self.engine_label.setText(f"<span style='color:{colour}'>●</span> Engine: {state}")

    def set_backend(self, backend: str) -> None:
        self.backend_label.setText(f"Backend: {backend}")

    def update_statistics(self, statistics: EngineStatistics) -> None:
        self.invocations_per_s = self.rate.add(statistics.timestamp, statistics.invocations)
        self.environments_label.setText(f"Environments: {statistics.environments}")
        self.concurrency_label.setText(f"Concurrent: {statistics.concurrent_executions}")
        self.rate_label.setText(f"Invocations/s: {self.invocations_per_s:,.1f}")
