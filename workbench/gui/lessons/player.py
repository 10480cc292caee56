"""The lesson player: a dock that shows the lesson's step (what to look at), highlights the pane it names, does
the step's action through the engine and checks its expectation, then waits for Next (or plays to the end, for
`workbench gui --lesson NAME --screenshot FILE` and the tests)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from workbench.engine import Engine, EngineSettings
from workbench.gui.operations import Operations
from workbench.gui.session import EngineSession
from workbench.lessons.actions import LessonState, perform
from workbench.lessons.expectations import wait_expected
from workbench.lessons.model import Lesson, LessonError

HIGHLIGHT = "QDockWidget#{name} {{ border: 3px solid #e4572e; }} QDockWidget#{name}::title {{ background: #e4572e; }}"
#: A pane that is not a dock (a tab of the Configuration view): outlined the same way.
PAGE_HIGHLIGHT = "#{name} {{ border: 3px solid #e4572e; }}"


class LessonFailedError(RuntimeError):
    """A step's expectation did not hold: the message names the step and what was seen."""


class LessonPlayer(QWidget):
    #: The name of the pane a step highlights (the window refreshes what the pane shows, e.g. the resources).
    pane_highlighted = Signal(str)

    def __init__(self, session: EngineSession, operations: Operations, show_pane: Callable[[str], QWidget | None],
                 parent: QWidget | None = None) -> None:
        """``show_pane`` brings the named pane to the front and returns the widget to outline (None: no such
        pane in this window)."""
        super().__init__(parent)
        self.session = session
        self.operations = operations
        self._show_pane = show_pane
        #: The widget outlined for the current step's pane (a dock, or a tab of the Configuration view).
        self.highlighted_widget: QWidget | None = None
        self.lesson: Lesson | None = None
        self.position = 0
        self.state = LessonState()
        self.title = QLabel("No lesson: Help → Lessons")
        self.title.setWordWrap(True)
        self.say = QLabel()
        self.say.setWordWrap(True)
        self.outcomes = QListWidget()
        self.outcomes.setWordWrap(True)   # an outcome names what was seen: all of it, in a narrow dock
        self.next_button = QPushButton("Next step")
        self.next_button.setEnabled(False)
        self.next_button.clicked.connect(self.play_next)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.say, 1)
        layout.addWidget(self.outcomes)
        layout.addLayout(bar)
        self.highlighted: str | None = None
        #: How a lesson switches the window to the application project it makes (the window sets it).
        self.open_project: Callable[[Path], Awaitable[Engine]] | None = None

    def load(self, lesson: Lesson) -> None:
        if self.state.pipeline is not None:   # the previous lesson's pipeline stops
            self.operations.run("Stop the lesson's pipeline", self.state.close)
        self.lesson, self.position, self.state = lesson, 0, self._new_state()
        self.title.setText(f"<b>{lesson.title}</b><br>{lesson.summary}")
        self.say.setText(f"{len(lesson.steps)} steps. Press Next step to begin.")
        self.outcomes.clear()
        self.next_button.setEnabled(True)

    @property
    def finished(self) -> bool:
        return self.lesson is not None and self.position >= len(self.lesson.steps)

    def play_next(self) -> asyncio.Task[None | None]:
        return self.operations.run("Play the lesson's step", self.step, trigger=self.next_button)

    async def step(self) -> None:
        """Play the next step: say, highlight, act, check."""
        lesson = self.lesson
        if lesson is None or self.finished:
            return
        step = lesson.steps[self.position]
        number = self.position + 1
        self.position += 1
        if number == 1:
            await self._apply_settings(lesson)
        self.say.setText(f"Step {number} of {len(lesson.steps)}: {step.say}")
        self.highlight(step.pane)
        engine = self.session.require()
        if step.action:
            await perform(engine, step.action, self.state)
            engine = self.session.require()   # a step may have switched the window to another project
        problems: list[str] = []
        if step.expect:
            function = str(step.action.get("function", "")) or _last_function(lesson, number)
            problems = await wait_expected(engine, function, step.expect, self.state)
        outcome = f"{number}. " + ("; ".join(problems) if problems else
                                    "as expected: " + ", ".join(f"{k} {v}" for k, v in step.expect.items())
                                    if step.expect else "done")
        self.outcomes.addItem(outcome)
        self.outcomes.scrollToBottom()
        if problems:
            await self.state.close()
            raise LessonFailedError(f"{lesson.name}, step {number}: {'; '.join(problems)}")
        if self.position >= len(lesson.steps):
            await self.state.close()
            self.next_button.setEnabled(False)
            self.next_button.setText("Finished")

    def _new_state(self) -> LessonState:
        return LessonState(open_project=self.open_project)

    async def stop(self) -> None:
        """The window closes: what the lesson started stops."""
        await self.state.close()

    async def _apply_settings(self, lesson: Lesson) -> None:
        """The lesson's engine settings (a short idle timeout, scaled retry delays): the engine restarts with
        them before the first step, and they stay after the lesson (Engine → Engine settings changes them)."""
        current = self.session.settings or EngineSettings()
        wanted = dataclasses.replace(current, **{key: type(getattr(current, key))(value)
                                                 for key, value in lesson.settings.items()})
        if wanted != current:
            await self.session.restart(wanted)
            self.title.setText(f"{self.title.text()}<br><i>The engine restarted with the lesson's settings: "
                               + ", ".join(f"{key} {value:g}" for key, value in lesson.settings.items()) + "</i>")
            self.state = LessonState()

    async def play_to_end(self) -> None:
        while not self.finished:
            await self.step()

    def highlight(self, pane: str | None) -> None:
        if self.highlighted_widget is not None:
            self.highlighted_widget.setStyleSheet("")
            self.highlighted_widget = None
        self.highlighted = pane
        widget = self._show_pane(pane) if pane is not None else None
        if pane is None or widget is None:
            return
        if isinstance(widget, QDockWidget):
            widget.setStyleSheet(HIGHLIGHT.format(name=widget.objectName()))
        else:
            widget.setObjectName(widget.objectName() or f"lesson-pane-{pane}")
            widget.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)   # a plain QWidget draws the border
            widget.setStyleSheet(PAGE_HIGHLIGHT.format(name=widget.objectName()))
        self.highlighted_widget = widget
        self.pane_highlighted.emit(pane)


def _last_function(lesson: Lesson, upto: int) -> str:
    for step in reversed(lesson.steps[:upto]):
        if step.action.get("function"):
            return str(step.action["function"])
    raise LessonError(f"{lesson.path}: step {upto} expects something but no step names a function")
