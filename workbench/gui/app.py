"""Starting the GUI: the QApplication, the shared Qt/asyncio event loop, the window, and where errors go.

Every exception that would otherwise only reach a terminal (a slot that raised, a task nobody awaited)
is routed to the window's message bar.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from workbench import __version__
from workbench.commands.instance_lock import InstanceLock
from workbench.engine import EngineSettings
from workbench.gui import theme
from workbench.gui.gc_guard import GuiThreadCollector
from workbench.gui.loop import WorkbenchEventLoop
from workbench.gui.main_window import MainWindow
from workbench.gui.session import EngineState
from workbench.lessons.model import Lesson
from workbench.model.project import Project
from workbench.oslimits import STOP_SIGNALS
from workbench.resources import APP_ID, ICONS_DIR

log = logging.getLogger(__name__)


def application_icon() -> QIcon:
    """The icon in every shipped size, so the window manager picks a sharp one (the SVG needs no plugin)."""
    icon = QIcon()
    for png in sorted(ICONS_DIR.glob("*x*/lambda-workbench.png")):
        icon.addFile(str(png))
    return icon


def application(theme_name: str | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Lambda Workbench")
        app.setOrganizationName("lambda-workbench")
        app.setApplicationVersion(__version__)
        # Wayland and X11 match the window to the installed .desktop entry (and so to its icon) by this name.
        app.setDesktopFileName(APP_ID)
        app.setWindowIcon(application_icon())
    assert isinstance(app, QApplication)
    # The window's close is awaited (the engine shuts down first); the loop ends when `_main` returns, never
    # because Qt saw the last window close.
    app.setQuitOnLastWindowClosed(False)
    if app.findChild(GuiThreadCollector) is None:
        GuiThreadCollector(app)   # cycles holding Qt objects are freed on this thread, never a worker's
    theme.apply(app, theme_name)
    if theme_name == theme.SYSTEM and not app.property("follows-scheme"):
        # The desktop switched between light and dark: so does the workbench (painted views read the colours
        # at their next paint; every window repaints now).
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: follow_scheme(app))
        app.setProperty("follows-scheme", True)
    return app


def follow_scheme(app: QApplication) -> None:
    if app.property("theme-choice") in (None, theme.SYSTEM):
        theme.apply(app, theme.SYSTEM)
        for widget in app.topLevelWidgets():
            widget.update()


def route_errors(window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    """Uncaught exceptions in slots (sys.excepthook) and in tasks (the loop's handler) go to the message bar."""

    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, exc, tb))
        window.message_bar.error(f"Unexpected error — {kind.__name__}: {exc}", details)

    def loop_handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        message = str(context.get("message", "error in the event loop"))
        details = "".join(traceback.format_exception(exc)) if isinstance(exc, BaseException) else repr(context)
        window.message_bar.error(f"Unexpected error — {message}" + (f": {exc}" if exc else ""), details)

    sys.excepthook = excepthook
    loop.set_exception_handler(loop_handler)


async def wait_until_running(window: MainWindow, timeout_s: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while window.session.state is not EngineState.RUNNING:
        if window.operations.running == 0 and window.session.engine is None:
            raise RuntimeError("the engine did not start: " + (window.message_bar.history[-1].text
                                                                if window.message_bar.history else "unknown error"))
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("the engine did not start in time")
        await asyncio.sleep(0.05)


async def _main(window: MainWindow, demo: bool, screenshot: Path | None, lesson: Lesson | None = None) -> int:
    window.show()
    window.start_engine()
    await asyncio.sleep(0)
    if lesson is not None and screenshot is not None:   # play it to its end offscreen, save the window, exit
        from workbench.gui.demo import save_screenshot

        try:
            await wait_until_running(window)
            window.lesson_player.load(lesson)
            window.docks["lesson"].raise_()   # the step's text beside the pane it highlights
            await window.lesson_player.play_to_end()
            window.bridge.flush()   # the last batch of events reaches the panes
            save_screenshot(window, screenshot)
        finally:
            await window.shutdown()
            window.close()
        return 0
    if screenshot is not None and not demo:
        # The first window as a user sees it: shown, laid out, the engine running, then saved; and exit.
        from workbench.gui.demo import save_screenshot

        try:
            await wait_until_running(window)
            await window.wait_laid_out()
            save_screenshot(window, screenshot)
        finally:
            await window.shutdown()
            window.close()
        return 0
    if lesson is not None:
        window.lesson_player.load(lesson)
        window.docks["lesson"].raise_()
    if demo:
        from workbench.gui.demo import play_demo

        try:
            await wait_until_running(window)
            await play_demo(window, screenshot)
        finally:
            await window.shutdown()
            window.close()
        return 0
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def finished() -> None:
        if not closed.done():
            closed.set_result(None)

    window.closed.connect(finished)
    # SIGTERM, closing the terminal (SIGHUP), Ctrl+C and Ctrl+\\ close the window the normal way: the engine
    # stops its environments before the process ends.
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, window.close)
    try:
        await closed
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
    return 0


def run(project: Project, *, backend: str = "process", demo: bool = False, screenshot: Path | None = None,
        engine_settings: EngineSettings | None = None, theme: str | None = None, lock: InstanceLock | None = None,
        slow_motion: float = 1.0, lesson: Lesson | None = None) -> int:
    app = application(theme)
    loop = WorkbenchEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(project, backend=backend, engine_settings=engine_settings,
                        remember_layout=not demo and screenshot is None and lesson is None, lock=lock,
                        slow_motion=slow_motion)
    route_errors(window, loop)
    try:
        with loop:
            status: int = loop.run_until_complete(_main(window, demo, screenshot, lesson))
            return status
    finally:
        sys.excepthook = sys.__excepthook__
        asyncio.set_event_loop(None)
        if window.lock is not None:
            window.lock.release()
