"""The scripted demo behind `workbench gui --demo`: what a teacher would show, played through the UI.

1. A cold then a warm invocation from the event editor (their traces end up side by side).
2. Reserved concurrency of 5 set from the function tree's context action.
3. The toolbar's load generator at 30 requests/s of 300 ms requests: the function scales out to its five
   environments and the rest is throttled, as the graph, the environment map and the logs show.
4. A screenshot of the whole window.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from workbench.gui.main_window import MainWindow
from workbench.gui.panes.concurrency import WINDOWS_S
from workbench.gui.panes.load_toolbar import OPEN_LOOP
from workbench.gui.widgets.dialogs import NumberDialog
from workbench.model.runtimes import Family, lookup_runtime

RESERVED = 5
LOAD_RATE, LOAD_SECONDS, REQUEST_MS = 30, 6, 300


def demo_function(window: MainWindow) -> str:
    """The first Python function of the project (else the first function): the one the demo drives."""
    configs = window.session.require().functions()
    if not configs:
        raise RuntimeError("the project has no functions to demonstrate")
    for config in configs:
        if lookup_runtime(config.runtime).family is Family.PYTHON:
            return config.name
    return configs[0].name


async def invoke_through_editor(window: MainWindow, function: str, event: dict[str, object]) -> str:
    editor = window.event_editor
    editor.select_function(function)
    editor.editor.setPlainText(json.dumps(event, indent=2))
    editor.invoke_button.click()
    await window.operations.wait_idle()
    result = editor.result_view.result
    if result is None:
        raise RuntimeError("the demo's invocation failed: " + window.message_bar.history[-1].text)
    return result.request_id


async def reserve_concurrency(window: MainWindow, function: str, reserved: int) -> None:
    dialog = window.functions.function_actions.set_reserved(function)
    assert isinstance(dialog, NumberDialog)
    dialog.spin.setValue(reserved)
    dialog.accept()
    await window.operations.wait_idle()


async def burst(window: MainWindow, function: str) -> None:
    window.event_editor.editor.setPlainText(json.dumps({"name": "class", "sleep_ms": REQUEST_MS}, indent=2))
    toolbar = window.load_toolbar
    toolbar.function_box.setCurrentText(function)
    toolbar.mode_box.setCurrentIndex(toolbar.mode_box.findData(OPEN_LOOP))
    toolbar.rate.setValue(LOAD_RATE)
    toolbar.duration.setValue(LOAD_SECONDS)
    await toolbar.start(function)


async def play_demo(window: MainWindow, screenshot: Path | None) -> None:
    function = demo_function(window)
    window.open_function_code(function)
    window.concurrency.window_box.setCurrentIndex(WINDOWS_S.index(30))
    window.concurrency.show_function(function)     # its own graph has its reserved limit drawn
    cold = await invoke_through_editor(window, function, {"name": "cold start"})
    await invoke_through_editor(window, function, {"name": "warm start"})
    await reserve_concurrency(window, function, RESERVED)
    await burst(window, function)
    await asyncio.sleep(1.0)    # the graph shows the environments going idle after the burst
    window.traces.select_request(cold)
    await asyncio.sleep(0.3)
    if screenshot is not None:
        save_screenshot(window, screenshot)


def save_screenshot(window: MainWindow, path: Path) -> None:
    """The whole window as a PNG, at the size the screen gives it: a projector's 1280x800 leaves a window of
    about 1272x764 once the frame is drawn, and that picture is as good as a larger one. (Offscreen, with no
    screen to fit, the window has its default size, which is what `make screenshot` puts in the README.)"""
    image = window.grab()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
