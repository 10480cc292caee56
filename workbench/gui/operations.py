"""GUI -> engine: every action is an awaited operation run through `Operations.run`.

It disables what triggered the action (so a double click cannot start it twice), awaits the engine façade
in a task the window owns, re-enables the trigger, and turns any failure into a message-bar entry: a
LambdaError as its code and message, anything else with its traceback. No coroutine here ever opens a
modal dialog; dialogs are opened with `open()` before an operation starts.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from workbench.catalog.errors import CatalogError
from workbench.engine import LambdaError, initiated_by
from workbench.gui.widgets.message_bar import MessageBar
from workbench.model.template import TemplateError

log = logging.getLogger(__name__)
T = TypeVar("T")
Trigger = QAction | QWidget


def describe_error(exc: BaseException) -> tuple[str, str]:
    """A one-line text and the details for the message bar."""
    if isinstance(exc, LambdaError):
        return f"{exc.code}: {exc.message}", ""
    if isinstance(exc, TemplateError | CatalogError):
        # The user's input was wrong, and the message says where (`file: Resource.Property: problem`): the
        # workbench's own stack is no help to them.
        return str(exc), ""
    details = "".join(traceback.format_exception(exc))
    return f"{type(exc).__name__}: {exc}", details


class Operations(QObject):
    #: Emitted with the number of operations still running, whenever it changes.
    running_changed = Signal(int)

    def __init__(self, message_bar: MessageBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._message_bar = message_bar
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def running(self) -> int:
        return len(self._tasks)

    def run(self, description: str, work: Callable[[], Awaitable[T]], *, trigger: Trigger | None = None,
            on_success: Callable[[T], object] | None = None) -> asyncio.Task[T | None]:
        """Start ``work()`` now; ``description`` names it in error messages ("Invoke hello-python")."""
        if trigger is not None:
            trigger.setEnabled(False)
        guarded = self._guarded(description, work, trigger, on_success)
        task: asyncio.Task[T | None] = asyncio.ensure_future(guarded)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        self.running_changed.emit(len(self._tasks))
        return task

    async def _guarded(self, description: str, work: Callable[[], Awaitable[T]], trigger: Trigger | None,
                       on_success: Callable[[T], object] | None) -> T | None:
        try:
            with initiated_by("gui"):
                result = await work()
            if on_success is not None:
                on_success(result)
            return result
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.report(description, exc)
            return None
        finally:
            if trigger is not None:
                _enable(trigger)

    def report(self, description: str, exc: BaseException) -> None:
        text, details = describe_error(exc)
        self._message_bar.error(f"{description} failed — {text}", details)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        self.running_changed.emit(len(self._tasks))

    async def wait_idle(self) -> None:
        """Wait until every running operation has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def cancel_all(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _enable(trigger: Trigger) -> None:
    try:
        trigger.setEnabled(True)
    except RuntimeError:
        pass  # the widget was deleted while the operation ran (its window closed)
