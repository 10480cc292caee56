"""The scripted demo behind `workbench gui --demo`: what a teacher would show, played through the UI.

A cold then a warm invocation (their traces side by side), then a burst of load that scales out, and a
screenshot of the whole window at the end.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from workbench.gui.main_window import MainWindow
from workbench.model.runtimes import Family, lookup_runtime

MIN_SCREENSHOT = (1280, 800)


def demo_function(window: MainWindow) -> str:
    """The first Python function of the project (else the first function): the one the demo drives."""
    configs = window.session.require().functions()
    if not configs:
        raise RuntimeError("the project has no functions to demonstrate")
    for config in configs:
        if lookup_runtime(config.runtime).family is Family.PYTHON:
            return config.name
    return configs[0].name


async def invoke_through_editor(window: MainWindow, function: str, event: dict[str, object]) -> None:
    editor = window.event_editor
    editor.select_function(function)
    editor.editor.setPlainText(json.dumps(event, indent=2))
    editor.invoke()
    await window.operations.wait_idle()


async def settle(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def play_demo(window: MainWindow, screenshot: Path | None) -> None:
    function = demo_function(window)
    window.open_function_code(function)
    await invoke_through_editor(window, function, {"name": "cold start"})
    await invoke_through_editor(window, function, {"name": "warm start"})
    await settle(0.5)
    window.traces.view.setCurrentIndex(window.traces.model.index(window.traces.model.row_of(
        window.traces.model.latest(function, True).request_id  # type: ignore[union-attr]
    ), 0))
    await settle(1.0)
    if screenshot is not None:
        save_screenshot(window, screenshot)


def save_screenshot(window: MainWindow, path: Path) -> None:
    image = window.grab()
    if image.width() < MIN_SCREENSHOT[0] or image.height() < MIN_SCREENSHOT[1]:
        raise RuntimeError(f"the window is {image.width()}x{image.height()}, smaller than the "
                           f"{MIN_SCREENSHOT[0]}x{MIN_SCREENSHOT[1]} a screenshot needs")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        raise RuntimeError(f"could not write {path}")
