"""Plays a lesson in the real workbench window on an X display (run by test_gui_xvfb.py under Xvfb): the window
is shown on the project, "Next step" is clicked with the mouse for every step, each step's outcome is read from
the player, and the X screen is grabbed at the end (``--show`` raises another dock first, for screenshots)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.e2e.drive_gui import run_in_window, until
from workbench.gui.app import application, wait_until_running
from workbench.gui.main_window import MainWindow
from workbench.lessons.model import find_lesson


async def play(window: MainWindow, name: str, screenshot: Path, show: str | None) -> dict[str, object]:
    window.show()
    exposed = await until(lambda: window.windowHandle() is not None and window.windowHandle().isExposed())
    window.start_engine()
    await wait_until_running(window)
    lesson = find_lesson(name)
    player = window.lesson_player
    player.load(lesson)
    window.docks["lesson"].raise_()
    button = player.next_button
    highlighted = []
    for _ in lesson.steps:
        await until(button.isEnabled)
        QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, button.rect().center())
        await until(lambda: not button.isEnabled() or player.outcomes.count() >= player.position, timeout=60)
        await window.operations.wait_idle()
        highlighted.append(player.highlighted)
    if show is not None:
        window.docks[show].show()
        window.docks[show].raise_()
    window.bridge.flush()
    await asyncio.sleep(1.5)   # the panes repaint what the last batch brought (the Pipeline reads every second)
    image = window.screen().grabWindow(0)
    return {"platform": application().platformName(), "exposed": exposed, "finished": player.finished,
            "steps": len(lesson.steps), "highlighted": highlighted,
            "outcomes": [player.outcomes.item(i).text() for i in range(player.outcomes.count())],
            "errors": [m.text for m in window.message_bar.history if m.level.value == "error"],
            "screen": [image.width(), image.height()], "window": [window.width(), window.height()],
            "saved": image.save(str(screenshot), "PNG")}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--lesson", required=True)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--screenshot", type=Path, required=True)
    parser.add_argument("--show", help="a dock to raise before the screenshot")
    args = parser.parse_args()
    return run_in_window(args.project, lambda window: play(window, args.lesson, args.screenshot, args.show),
                         args.report)


if __name__ == "__main__":
    sys.exit(main())
