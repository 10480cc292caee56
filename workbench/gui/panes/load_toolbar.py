"""The load generator in the toolbar: drives a function with the engine's `run_load` (a closed loop of
requests over N clients, or an open loop at a rate for a duration) and shows its progress live, so a class
can watch the graph scale out and throttle."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QLabel, QProgressBar, QPushButton, QSpinBox, QToolBar, QWidget

from workbench.engine import Engine, LoadProgress, LoadReport, run_load
from workbench.gui.operations import Operations
from workbench.gui.session import EngineSession
from workbench.gui.widgets.message_bar import MessageBar

CLOSED_LOOP, OPEN_LOOP = "requests", "rate"
PROGRESS_INTERVAL_S = 0.25


LATEST = "$LATEST"


def describe(report: LoadReport) -> str:
    served = f"served by {report.provisioned} provisioned and {report.on_demand} on-demand (spill-over)" \
        if report.provisioned else f"served by {report.on_demand} on-demand"
    return (f"{report.requests} requests in {report.duration_s:.1f} s: {report.succeeded} succeeded, "
            f"{report.throttled} throttled, {report.failed} failed, {served}; "
            f"peak {report.peak_environments} environments, "
            f"{report.cold_starts} cold starts; p50 {report.p50_ms:.1f} ms, p99 {report.p99_ms:.1f} ms, "
            f"{report.throughput_per_s:.1f}/s")


def progress_text(progress: LoadProgress) -> str:
    total = f"/{progress.total}" if progress.total is not None else ""
    return (f"{progress.done}{total} · {progress.succeeded} ok · {progress.throttled} throttled · "
            f"{progress.failed} failed · {progress.elapsed_s:.1f} s")


def _spin(minimum: int, maximum: int, value: int, suffix: str, tooltip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(minimum, maximum)
    spin.setValue(value)
    spin.setSuffix(suffix)
    spin.setToolTip(tooltip)
    return spin


class LoadToolbar(QToolBar):
    def __init__(self, session: EngineSession, operations: Operations, message_bar: MessageBar,
                 payload_for: Callable[[str], bytes], parent: QWidget | None = None) -> None:
        super().__init__("Load generator", parent)
        self.setObjectName("load-toolbar")
        self._session = session
        self._operations = operations
        self._message_bar = message_bar
        self._payload_for = payload_for
        self.function_box = QComboBox()
        self.function_box.setMinimumContentsLength(10)
        self.function_box.setToolTip("The function the load goes to")
        self.function_box.currentTextChanged.connect(lambda _name: self.refresh_qualifiers())
        self.qualifier_box = QComboBox()
        self.qualifier_box.setEditable(True)
        self.qualifier_box.setMinimumContentsLength(7)
        self.qualifier_box.setToolTip("$LATEST, a published version or an alias (provisioned concurrency is "
                                      "on a version or an alias: aim the load there to see it spill over)")
        self.qualifier_box.addItem(LATEST)
        self._engine: Engine | None = None
        self.mode_box = QComboBox()
        self.mode_box.addItem("requests over clients", CLOSED_LOOP)
        self.mode_box.addItem("rate for a duration", OPEN_LOOP)
        self.mode_box.currentIndexChanged.connect(self._mode_changed)
        self.mode_box.setToolTip("A closed loop (each client sends its next request when answered) or an open "
                                 "loop (a fixed rate, whatever the answers)")
        self.requests = _spin(1, 1_000_000, 200, " req", "how many requests in all")
        self.concurrency = _spin(1, 1000, 20, " clients", "clients sending requests at once")
        self.rate = _spin(1, 10_000, 50, " /s", "requests sent per second, whatever the answers")
        self.duration = _spin(1, 3600, 10, " s", "for how long")
        self.start_button = QPushButton("▶ Load")
        self.start_button.setToolTip("Start the load (or stop the one running)")
        self.start_button.clicked.connect(self.toggle)
        self.progress = QProgressBar()
        self.progress.setMinimumWidth(320)
        self.progress.setFormat("idle")
        self.progress.setToolTip("Requests answered so far: succeeded, throttled and failed")
        self.progress.setValue(0)
        self.addWidget(QLabel(" Load: "))
        # A toolbar shows and hides its widgets through their actions, not the widgets themselves.
        self._slots = {widget: self.addWidget(widget) for widget in (
            self.function_box, self.qualifier_box, self.mode_box, self.requests, self.concurrency, self.rate,
            self.duration, self.start_button, self.progress)}
        self._task: asyncio.Task[LoadReport | None] | None = None
        self.last_report: LoadReport | None = None
        self._last_progress = 0.0
        self._mode_changed()

    def _mode_changed(self) -> None:
        closed = self.mode_box.currentData() == CLOSED_LOOP
        for spin, visible in ((self.requests, closed), (self.concurrency, closed), (self.rate, not closed),
                              (self.duration, not closed)):
            self._slots[spin].setVisible(visible)

    def set_functions(self, engine: Engine | None) -> None:
        current = self.function_box.currentText()
        self._engine = engine
        names = [config.name for config in engine.functions()] if engine is not None else []
        self.function_box.blockSignals(True)
        self.function_box.clear()
        self.function_box.addItems(names)
        if current in names:
            self.function_box.setCurrentText(current)
        self.function_box.blockSignals(False)
        self.refresh_qualifiers()

    def refresh_qualifiers(self) -> None:
        """$LATEST, the function's versions and aliases; the typed or chosen one stays when it still exists."""
        current = self.qualifier_box.currentText()
        name, engine = self.function_box.currentText(), self._engine
        qualifiers = [LATEST]
        if engine is not None and name and engine.has_function(name):
            entry = engine.function_entry(name)
            qualifiers += sorted(entry.versions, key=lambda v: int(v) if v.isdigit() else 0)
            qualifiers += sorted(entry.aliases)
        self.qualifier_box.clear()
        self.qualifier_box.addItems(qualifiers)
        self.qualifier_box.setCurrentText(current if current in qualifiers else LATEST)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def toggle(self) -> None:
        if self.running:
            assert self._task is not None
            self._task.cancel()
        else:
            self.start()

    def start(self, function: str | None = None, qualifier: str | None = None) -> asyncio.Task[LoadReport | None]:
        name = function or self.function_box.currentText()
        chosen = qualifier if qualifier is not None else self.qualifier_box.currentText().strip()
        target = None if chosen in ("", LATEST) else chosen
        payload = self._payload_for(name)
        closed = self.mode_box.currentData() == CLOSED_LOOP
        requests, concurrency = self.requests.value(), self.concurrency.value()
        rate, duration = float(self.rate.value()), float(self.duration.value())

        async def drive() -> LoadReport:
            engine = self._session.require()
            if closed:
                return await run_load(engine, name, qualifier=target, payload=payload, requests=requests,
                                      concurrency=concurrency, on_progress=self._progress)
            return await run_load(engine, name, qualifier=target, payload=payload, rate=rate, duration_s=duration,
                                  on_progress=self._progress)

        self.start_button.setText("■ Stop")
        self.progress.setValue(0)
        self.progress.setFormat("starting…")
        task = self._operations.run(f"Load {name}" + (f":{target}" if target else ""), drive, on_success=self._finished)
        task.add_done_callback(self._ended)
        self._task = task
        return task

    def _progress(self, progress: LoadProgress) -> None:
        # QProgressBar repaints at once on every setValue; four times a second reads as live and costs little.
        now = time.monotonic()
        final = progress.total is not None and progress.done >= progress.total
        if now - self._last_progress < PROGRESS_INTERVAL_S and not final:
            return
        self._last_progress = now
        if progress.total:
            self.progress.setMaximum(progress.total)
            self.progress.setValue(progress.done)
        else:
            self.progress.setMaximum(0)   # unknown total: a busy indicator
        self.progress.setFormat(progress_text(progress))

    def _finished(self, report: LoadReport) -> None:
        self.last_report = report
        self._message_bar.info(describe(report))

    def _ended(self, task: asyncio.Task[LoadReport | None]) -> None:
        self.start_button.setText("▶ Load")
        if task.cancelled():
            self.progress.setFormat(self.progress.format() + " · stopped")
        self._task = None
