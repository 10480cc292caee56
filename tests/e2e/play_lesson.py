"""Plays a lesson in the real workbench window on an X display (run by test_gui_xvfb.py under Xvfb): the window
is shown on the project, "Next step" is clicked with the mouse for every step, each step's outcome is read from
the player, and the X screen is grabbed at the end (``--show`` raises another dock first, for screenshots)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.e2e.drive_gui import until
from workbench.gui.app import application, route_errors, wait_until_running
from workbench.gui.loop import WorkbenchEventLoop
from workbench.gui.main_window import MainWindow
from workbench.lessons.model import find_lesson
from workbench.model.project import load_project


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
    app = application()
    loop = WorkbenchEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(load_project(args.project / "template.yaml"), remember_layout=False)
    route_errors(window, loop)

    async def run() -> dict[str, object]:
        try:
            return await play(window, args.lesson, args.screenshot, args.show)
        finally:
            await window.shutdown()
            window.close()

    with loop:
        report = loop.run_until_complete(run())
    args.report.write_text(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
