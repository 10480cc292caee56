"""The asyncio event loop the GUI runs on: qasync's Qt loop, with ready callbacks batched.

qasync turns every ``call_soon`` into its own zero-delay Qt timer (a startTimer, a timerEvent dispatched
into Python, a killTimer). The engine schedules several callbacks per invocation, so at hundreds of
invocations a second that bookkeeping alone costs a large share of the one thread Qt and the engine share.
Here ready callbacks go into a FIFO queue that one posted Qt event drains, like asyncio's own ``_run_once``:
callbacks queued while draining wait for the next drain, so Qt's input and paint events interleave.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
from collections.abc import Callable
from typing import Any

import qasync
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject

_DRAIN_EVENT = QEvent.Type(QEvent.registerEventType())


class _Drainer(QObject):
    def __init__(self, drain: Callable[[], None]) -> None:
        super().__init__()
        self._drain = drain

    def event(self, event: QEvent) -> bool:
        if event.type() == _DRAIN_EVENT:
            self._drain()
            return True
        return super().event(event)


class WorkbenchEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    def __init__(self, app: QCoreApplication | None = None) -> None:
        super().__init__(app)
        self._ready: collections.deque[asyncio.Handle] = collections.deque()
        self._drain_posted = False
        self._drainer = _Drainer(self._run_ready)

    def call_soon(self, callback: Callable[..., Any], *args: Any,
                  context: contextvars.Context | None = None) -> asyncio.Handle:
        self._check_closed()
        handle = asyncio.Handle(callback, args, self, context=context)
        self._ready.append(handle)
        if not self._drain_posted:
            self._drain_posted = True
            QCoreApplication.postEvent(self._drainer, QEvent(_DRAIN_EVENT))
        return handle

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any,
                   context: contextvars.Context | None = None) -> Any:
        if delay <= 0:
            return self.call_soon(callback, *args, context=context)
        return super().call_later(delay, callback, *args, context=context)

    def _run_ready(self) -> None:
        self._drain_posted = False
        for _ in range(len(self._ready)):
            handle = self._ready.popleft()
            if not handle._cancelled:
                handle._run()

    def close(self) -> None:
        self._ready.clear()
        super().close()
        # The closed loop's Qt objects die here, on the Qt thread. Left to Python's cycle collector, they are
        # freed on whichever thread it happens to run (the store's, an executor's): Qt cannot stop their
        # timers from there, and a timer that fires later on the freed object crashes the process. (One loop
        # per process in the app; a loop per test in the GUI tests.)
        for owned in (self._timer, self._drainer):
            if shiboken6.isValid(owned):
                shiboken6.delete(owned)
