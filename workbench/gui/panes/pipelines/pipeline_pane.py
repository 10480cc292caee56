"""The Pipeline view: the project's runs (one per pushed commit), the selected run's stages with status and
duration, the selected stage's log following live, and the alias traffic of its deployment over time.

Runs are written by `workbench serve`'s pipeline worker (another process) into the project's store, so the
pane reads the store: every second while it is visible, in a thread.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from workbench.gui.operations import Operations
from workbench.gui.panes.pipelines.traffic_chart import TrafficChart
from workbench.gui.session import EngineSession
from workbench.gui.widgets.record_table import RecordTable
from workbench.pipeline import store
from workbench.pipeline.traffic import shifts

REFRESH_MS = 1000
RUNS_SHOWN = 50


def read_runs(database: Path) -> list[store.Run]:
    if not database.exists():
        return []
    with store.with_store(database) as connection:
        return store.list_runs(connection, RUNS_SHOWN)


def _duration(start: float | None, end: float | None) -> str:
    if start is None:
        return ""
    return f"{(end if end is not None else time.time()) - start:.1f} s" + ("" if end is not None else " …")


class PipelinePane(QWidget):
    def __init__(self, session: EngineSession, operations: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.operations = operations
        self.runs_table = RecordTable(("Run", "Commit", "Ref", "Status", "Queued", "Duration", "Error"))
        self.stages_table = RecordTable(("Stage", "Status", "Duration"))
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.traffic = TrafficChart()
        self.summary = QLabel("No runs yet: push to the project's origin (`workbench init --app-template`) and keep "
                              "`workbench serve` running")
        self.summary.setWordWrap(True)
        self.runs: list[store.Run] = []
        self.runs_table.itemSelectionChanged.connect(self._show_selected)
        self.stages_table.itemSelectionChanged.connect(self._show_selected_stage)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.stages_table)
        right.addWidget(self.log)
        right.addWidget(self.traffic)
        right.setSizes([80, 160, 120])
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.runs_table)
        splitter.addWidget(right)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self._reading: asyncio.Task[list[store.Run] | None] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    @property
    def database(self) -> Path:
        engine = self.session.engine
        return (engine.state_dir if engine is not None else self.session.project.state_dir) / "state.db"

    def _tick(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> asyncio.Task[list[store.Run] | None]:
        if self._reading is None or self._reading.done():
            database = self.database
            self._reading = self.operations.run("Read the pipeline runs",
                                                lambda: asyncio.to_thread(read_runs, database),
                                                on_success=self.show_runs)
        return self._reading

    def show_runs(self, runs: list[store.Run]) -> None:
        self.runs = runs
        self.runs_table.set_rows([(run.id, run.commit[:8], run.ref.removeprefix("refs/heads/"), run.status,
                                   datetime.fromtimestamp(run.queued_at).strftime("%H:%M:%S"),
                                   _duration(run.started_at, run.finished_at), run.error or "") for run in runs], runs)
        if runs:
            latest = runs[0]
            self.summary.setText(f"{len(runs)} run(s); the latest, {latest.commit[:8]}, {latest.status}")
            if self.runs_table.currentRow() < 0:
                self.runs_table.selectRow(0)
        self._show_selected()

    def selected_run(self) -> store.Run | None:
        run = self.runs_table.payload()
        return run if isinstance(run, store.Run) else None

    def _show_selected(self) -> None:
        run = self.selected_run()
        stages = list(run.stages) if run is not None else []
        self.stages_table.set_rows([(stage.name, stage.status, _duration(stage.started_at, stage.finished_at))
                                    for stage in stages], stages)
        if run is not None and self.stages_table.currentRow() < 0:
            running = [index for index, stage in enumerate(stages) if stage.status == "running"]
            self.stages_table.selectRow(running[0] if running else len(stages) - 1)
        deploy = next((stage for stage in stages if stage.name == "Deploy"), None)
        self.traffic.set_shifts(shifts(deploy.log) if deploy is not None else [])
        self._show_selected_stage()

    def _show_selected_stage(self) -> None:
        stage = self.stages_table.payload()
        text = stage.log if isinstance(stage, store.Stage) else ""
        current = self.log.toPlainText()
        if text == current:
            return
        bar = self.log.verticalScrollBar()
        following = bar.value() >= bar.maximum() - 2
        if text.startswith(current) and current:
            cursor = self.log.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(text[len(current):])   # a live log grows: append, do not reset the view
        else:
            self.log.setPlainText(text)
        if following:
            bar.setValue(bar.maximum())
