"""Each asynchronous event on a shared time axis: its attempts as bars (green success, red error, orange
throttled), the wait for its next retry as a dashed line with a countdown, and how it ended (succeeded,
dead-lettered, sent to a destination, discarded).

`EventView` is what one row shows, built from the store's `QueuedEvent` (which survives restarts) and the
deliveries the engine announced live (dead-letter queue, destinations, delivery failures).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from workbench.engine import EventState, QueuedEvent
from workbench.gui.widgets.hint import hint_height, paint_hint

OUTCOME_COLOURS = {"success": "#3c9d4a", "error": "#d64545", "throttled": "#e8912d", "service-error": "#e8912d",
                   "refused": "#8e44ad", "interrupted": "#8c8c8c"}
RUNNING_COLOUR = "#2f7ed8"
LABEL_WIDTH, ROW_HEIGHT, AXIS_HEIGHT, END_WIDTH = 220, 22, 18, 280
#: At most this many events are drawn (the newest); the table below lists them all.
MAX_ROWS = 40
EMPTY_HINT = ("No asynchronous events yet: invoke the function asynchronously (Event and invoke → Asynchronous), "
              "or send it something through a topic, a bus or a bucket")


@dataclass(frozen=True, slots=True)
class Attempt:
    number: int
    started: float
    ended: float | None          # None while it runs
    outcome: str                 # success, error, throttled, service-error, refused, interrupted, running
    detail: str                  # the error message or the throttle's reason


@dataclass(slots=True)
class EventView:
    """One event as the view shows it."""

    request_id: str
    function: str
    qualifier: str | None
    received: float
    state: EventState
    due: float
    attempts: list[Attempt]
    outcome: str | None
    finished: float | None
    payload: bytes = b""
    deliveries: list[str] = field(default_factory=list)   # "dead-lettered to …", "sent to …", "delivery … failed"
    records: list[str] = field(default_factory=list)      # the invocation records delivered (JSON text)

    @classmethod
    def of(cls, event: QueuedEvent) -> EventView:
        attempts = []
        for number, entry in enumerate(event.history, 1):
            ended = entry.get("ended")
            outcome = str(entry.get("outcome", "running" if ended is None else "interrupted"))
            detail = str(entry.get("error") or entry.get("reason") or "")
            attempts.append(Attempt(number, float(entry.get("started", event.received)),
                                    float(ended) if isinstance(ended, int | float) else None, outcome, detail))
        return cls(event.request_id, event.function, event.qualifier, event.received, event.state, event.due,
                   attempts, event.outcome, event.finished, event.payload)

    @property
    def waiting(self) -> bool:
        return self.state is EventState.RETRY_WAIT

    def countdown(self, now: float) -> str:
        """"retry in 3.2 s" while it waits for its next attempt."""
        if not self.waiting:
            return ""
        left, number = self.due - now, len(self.attempts) + 1
        return f"attempt {number} in {left:.1f} s" if left > 0 else f"attempt {number} due"

    def brief(self) -> str:
        """How it ended, in the few words the timeline has room for."""
        delivered = (" → DLQ" if any(d.startswith("dead-lettered") for d in self.deliveries) else "") + \
            (" → destination" if self.records else "") + \
            (" (delivery failed)" if any("failed:" in d for d in self.deliveries) else "")
        if self.state is EventState.SUCCEEDED:
            return f"✓ {len(self.attempts)} attempt{'s' if len(self.attempts) != 1 else ''}{delivered}"
        if self.state.finished:
            return f"✗ {(self.outcome or self.state.value).split(':')[0]}{delivered}"
        return self.ending()

    def ending(self) -> str:
        """How it ended, in a few words (the deliveries that followed included)."""
        if self.state is EventState.SUCCEEDED:
            text = f"succeeded after {len(self.attempts)} attempt{'s' if len(self.attempts) != 1 else ''}"
        elif self.state in (EventState.FAILED, EventState.EXPIRED):
            text = f"discarded: {self.outcome or self.state.value}"
        elif self.state is EventState.RUNNING:
            text = f"attempt {len(self.attempts)} running"
        elif self.waiting:
            text = "waiting for a retry"
        else:
            text = "queued"
        return "; ".join([text, *self.deliveries])


class AsyncTimeline(QWidget):
    """The events of one function (or all), newest at the bottom, on one time axis ending now."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.events: list[EventView] = []
        self.now = time.time()
        self.selected: str | None = None
        #: Where the empty-state hint was last drawn (None while events are shown).
        self.hint_rect: QRectF | None = None
        self.setMinimumHeight(ROW_HEIGHT * 3 + AXIS_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_events(self, events: list[EventView], now: float) -> None:
        was_empty = not self.events
        self.events = events[-MAX_ROWS:]
        self.now = now
        if was_empty != (not self.events):
            self._fit_height()
        self.update()

    def _fit_height(self) -> None:
        # Empty, the wrapped hint must fit: a narrow page wraps it to more lines, and the page scrolls rather
        # than cut its last line off.
        rows = ROW_HEIGHT * 3 + AXIS_HEIGHT
        needed = rows if self.events else max(rows, hint_height(self.fontMetrics(), self.width(), EMPTY_HINT))
        if needed != self.minimumHeight():
            self.setMinimumHeight(needed)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_height()

    def tick(self, now: float) -> None:
        """Advance the clock (the countdowns and running bars move) without new data."""
        self.now = now
        self.update()

    def span(self) -> tuple[float, float]:
        """The axis: from the oldest shown event's arrival to now (or its last due time, if later)."""
        if not self.events:
            return self.now - 10.0, self.now
        start = min(event.received for event in self.events)
        end = max([self.now, *(event.due for event in self.events if event.waiting)])
        return start, max(end, start + 1.0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.base())
        text = palette.text().color()
        if not self.events:
            painter.setPen(text)
            self.hint_rect = paint_hint(painter, QRectF(self.rect()), EMPTY_HINT)
            return
        self.hint_rect = None
        start, end = self.span()
        metrics = painter.fontMetrics()
        label_width = min(LABEL_WIDTH, 12 + max(metrics.horizontalAdvance(f"{view.request_id[:8]}  {view.function}")
                                                for view in self.events))
        left, right = float(label_width), float(max(label_width + 40, self.width() - END_WIDTH))
        scale = (right - left) / (end - start)

        def x_of(moment: float) -> float:
            return left + (min(max(moment, start), end) - start) * scale

        rows = max(1, (self.height() - AXIS_HEIGHT) // ROW_HEIGHT)
        shown = self.events[-rows:]
        for row, view in enumerate(shown):
            top = row * ROW_HEIGHT
            if view.request_id == self.selected:
                painter.fillRect(QRectF(0, top, self.width(), ROW_HEIGHT), palette.highlight().color().lighter(170))
            painter.setPen(text)
            painter.drawText(QRectF(4, top, label_width - 8, ROW_HEIGHT), Qt.AlignmentFlag.AlignVCenter,
                             f"{view.request_id[:8]}  {view.function}")
            middle = top + ROW_HEIGHT / 2
            guide = QColor(text)
            guide.setAlpha(60)
            painter.setPen(QPen(guide, 1))
            painter.drawLine(QPointF(x_of(view.received), middle),
                             QPointF(x_of(view.finished or self.now), middle))
            painter.setBrush(text)
            painter.drawEllipse(QPointF(x_of(view.received), middle), 2.5, 2.5)   # received
            for attempt in view.attempts:
                colour = QColor(OUTCOME_COLOURS.get(attempt.outcome, RUNNING_COLOUR))
                x0 = x_of(attempt.started)
                x1 = max(x0 + 3.0, x_of(attempt.ended if attempt.ended is not None else self.now))
                painter.fillRect(QRectF(x0, top + 4, x1 - x0, ROW_HEIGHT - 8), colour)
            if view.waiting and view.attempts:
                last = view.attempts[-1]
                pen = QPen(QColor(OUTCOME_COLOURS["throttled"]), 1.5, Qt.PenStyle.DashLine)
                painter.setPen(pen)
                x0 = x_of(last.ended or last.started)
                painter.drawLine(QPointF(x0, middle), QPointF(x_of(view.due), middle))
                painter.drawLine(QPointF(x_of(view.due), top + 4), QPointF(x_of(view.due), top + ROW_HEIGHT - 4))
            painter.setPen(text)
            label = view.countdown(self.now) or view.brief()
            painter.drawText(QRectF(right + 6, top, self.width() - right - 8, ROW_HEIGHT),
                             Qt.AlignmentFlag.AlignVCenter, painter.fontMetrics().elidedText(
                                 label, Qt.TextElideMode.ElideRight, int(self.width() - right - 8)))
        axis_top = float(self.height() - AXIS_HEIGHT)
        painter.setPen(text)
        painter.drawLine(QPointF(left, axis_top), QPointF(right, axis_top))
        seconds = end - start
        step = next((s for s in (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)
                     if seconds / s <= max(2.0, (right - left) / 80)), 3600.0)
        mark = 0.0
        while mark <= seconds + 1e-6:
            x = left + mark * scale
            painter.drawLine(QPointF(x, axis_top), QPointF(x, axis_top + 4))
            painter.drawText(QRectF(x - 30, axis_top + 3, 60, AXIS_HEIGHT - 3), Qt.AlignmentFlag.AlignHCenter,
                             f"{mark:g} s")
            mark += step
