"""The one road from the engine to the widgets.

The engine calls its subscribers synchronously, several times per invocation. Widgets must not repaint at
that rate, so the bridge only appends each event to a buffer; a single-shot timer hands the buffer to the
widgets as one `EventBatch` at most every `interval_ms` (about 30 times a second), and a second timer
hands them an `EngineStatistics` snapshot a few times a second. Nothing else in the GUI subscribes to the
engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal

from workbench.engine import (
    AsyncInvocationEvent,
    CatalogueChanged,
    Engine,
    EngineEvent,
    EnvironmentEvent,
    InvocationFinished,
    InvocationStarted,
    LogLine,
    MappingBatchProcessed,
    Throttled,
    TraceRecorded,
)

#: 33 ms: at most ~30 batches a second, the rate the issue asks widgets to be updated at.
BATCH_INTERVAL_MS = 33
STATISTICS_INTERVAL_MS = 200


@dataclass(slots=True)
class EventBatch:
    """The events of one coalescing period, in order, and split by kind so each widget takes its share."""

    events: list[EngineEvent] = field(default_factory=list)
    logs: list[LogLine] = field(default_factory=list)
    environments: list[EnvironmentEvent] = field(default_factory=list)
    started: list[InvocationStarted] = field(default_factory=list)
    finished: list[InvocationFinished] = field(default_factory=list)
    throttles: list[Throttled] = field(default_factory=list)
    traces: list[TraceRecorded] = field(default_factory=list)
    changes: list[CatalogueChanged] = field(default_factory=list)
    #: Batches event source mappings delivered (the triggers, traces and logs show them with their size).
    mapping_batches: list[MappingBatchProcessed] = field(default_factory=list)
    #: Steps of asynchronous events (queued, attempted, retried, discarded, delivered).
    asynchronous: list[AsyncInvocationEvent] = field(default_factory=list)

    def add(self, event: EngineEvent) -> None:
        self.events.append(event)
        if isinstance(event, LogLine):
            self.logs.append(event)
        elif isinstance(event, EnvironmentEvent):
            self.environments.append(event)
        elif isinstance(event, InvocationStarted):
            self.started.append(event)
        elif isinstance(event, InvocationFinished):
            self.finished.append(event)
        elif isinstance(event, Throttled):
            self.throttles.append(event)
        elif isinstance(event, TraceRecorded):
            self.traces.append(event)
        elif isinstance(event, CatalogueChanged):
            self.changes.append(event)
        elif isinstance(event, MappingBatchProcessed):
            self.mapping_batches.append(event)
        elif isinstance(event, AsyncInvocationEvent):
            self.asynchronous.append(event)


class EngineBridge(QObject):
    #: An EventBatch, at most every BATCH_INTERVAL_MS.
    events = Signal(object)
    #: An EngineStatistics snapshot, every STATISTICS_INTERVAL_MS while an engine is attached.
    statistics = Signal(object)
    #: The attached engine changed (an Engine, or None when detached).
    engine_changed = Signal(object)

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = BATCH_INTERVAL_MS,
                 statistics_interval_ms: int = STATISTICS_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._engine: Engine | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._pending = EventBatch()
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(interval_ms)
        self._flush_timer.timeout.connect(self.flush)
        self._statistics_timer = QTimer(self)
        self._statistics_timer.setInterval(statistics_interval_ms)
        self._statistics_timer.timeout.connect(self.poll_statistics)
        self.batches_emitted = 0

    @property
    def engine(self) -> Engine | None:
        return self._engine

    def attach(self, engine: Engine) -> None:
        self.detach()
        self._engine = engine
        self._unsubscribe = engine.subscribe(self._on_event)
        self._statistics_timer.start()
        self.engine_changed.emit(engine)
        self.poll_statistics()

    def detach(self) -> None:
        if self._engine is None:
            return
        self.flush()
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = None
        self._engine = None
        self._statistics_timer.stop()
        self.engine_changed.emit(None)

    def _on_event(self, event: EngineEvent) -> None:
        # Called by the engine for every event: keep it to an append and, once per batch, arming a timer.
        self._pending.add(event)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        self._flush_timer.stop()
        batch, self._pending = self._pending, EventBatch()
        if batch.events:
            self.batches_emitted += 1
            self.events.emit(batch)

    def poll_statistics(self) -> None:
        if self._engine is not None:
            self.statistics.emit(self._engine.statistics())
