"""Drives the real workbench window on an X display (run by test_gui_xvfb.py under Xvfb).

It builds the window as `workbench gui` does, waits until X has mapped and exposed it, clicks Invoke with
a mouse event, waits for the panes to update, writes what it saw as JSON and grabs the X screen.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from workbench.gui.app import application, route_errors, wait_until_running
from workbench.gui.loop import WorkbenchEventLoop
from workbench.gui.main_window import MainWindow
from workbench.gui.models.function_tree import BADGES_ROLE
from workbench.gui.models.graph_history import MarkerKind
from workbench.model.project import load_project


async def until(condition, timeout: float = 20.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def new_project_and_function(window: MainWindow, folder: Path) -> dict[str, object]:
    """File > New project on an empty folder, then New function through its form, and invoke it."""
    window.open_project(folder)
    await window.operations.wait_idle()
    opened = await until(lambda: window.session.project.root == folder.resolve()
                         and window.session.engine is not None and not window.session.engine.functions())
    dialog = window.project_actions.new_function()
    dialog.name_field.setText("fresh")
    dialog.memory.setValue(256)
    dialog.accept()
    await window.operations.wait_idle()
    created = await until(lambda: window.session.engine is not None and window.session.engine.has_function("fresh"))
    await until(lambda: window.event_editor.function_box.findText("fresh") >= 0)
    window.event_editor.select_function("fresh")
    window.event_editor.editor.setPlainText("{}")
    button = window.event_editor.invoke_button
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, button.rect().center())
    await window.operations.wait_idle()
    result = window.event_editor.result_view.result
    return {"new_project_opened": opened, "function_created": created,
            "new_function_invoked": bool(result and b"Hello from fresh" in result.payload)}


async def drive(window: MainWindow, function: str, screenshot: Path, empty: Path | None = None) -> dict[str, object]:
    window.show()
    exposed = await until(lambda: window.windowHandle() is not None and window.windowHandle().isExposed())
    window.start_engine()
    await wait_until_running(window)
    window.event_editor.select_function(function)
    window.event_editor.editor.setPlainText('{"name": "xvfb"}')
    button = window.event_editor.invoke_button
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, button.rect().center())
    await window.operations.wait_idle()
    result = window.event_editor.result_view.result
    request_id = result.request_id if result else ""
    tree = window.functions.model
    logs = window.logs.model
    history = window.concurrency.history
    report = {
        "platform": application().platformName(),
        "exposed": exposed,
        "invoked": result is not None and result.function_error is None,
        "cold_start": bool(result and result.cold_start),
        "tree_badge": await until(lambda: any(
            "warm" in text for text, _ in tree.index_of_function(function).data(BADGES_ROLE) or [])),
        "logs": await until(lambda: any(logs.line_at(r).message.startswith(f"REPORT RequestId: {request_id}")
                                        for r in range(logs.rowCount()))),
        "traces": await until(lambda: window.traces.model.row_of(request_id) >= 0),
        "graph": await until(lambda: history.count(MarkerKind.COLD_START, function) == 1 and any(
            counts.environments for _, counts in history.series(function, 0))),
    }
    report["configuration_files"] = await configuration_files(window, function)
    if empty is not None:
        report.update(await new_project_and_function(window, empty))
        report.update(await outside_edit_and_quit(window, "fresh", ("Hello from", "Edited outside")))
    else:
        report.update(await outside_edit_and_quit(window, function))
    report["errors"] = [m.text for m in window.message_bar.history if m.level.value == "error"]
    await asyncio.sleep(0.3)
    screen = window.screen()
    image = screen.grabWindow(0)          # the whole X screen, as the display server has it
    report["screen"] = [image.width(), image.height()]
    report["saved"] = image.save(str(screenshot), "PNG")
    return report


async def configuration_files(window: MainWindow, function: str) -> bool:
    """The function's Configuration view, on its Files section: the file tree lists the code folder (its
    QFileSystemModel runs a thread, which must be stopped cleanly when the window goes)."""
    window.show_configuration(function)
    files = window.configuration.files
    window.configuration.show_tab(files)
    root = files.view.rootIndex()
    return files.isVisible() and await until(lambda: files.model.rowCount(root) > 0)


async def outside_edit_and_quit(window: MainWindow, function: str,
                                change: tuple[str, str] = ('"version": 1', '"version": 2')) -> dict[str, object]:
    """Edit the handler outside the app (it reloads), invoke again, then quit with an unsaved tab and cancel."""
    window.open_function_code(function)
    tab = window.code_editor.current()
    assert tab is not None
    old, new = change
    tab.path.write_text(tab.path.read_text().replace(old, new))
    followed = await until(lambda: new in tab.view.toPlainText())
    await until(lambda: any(m.text.startswith("Changed outside") for m in window.message_bar.history))
    await window.operations.wait_idle()
    button = window.event_editor.invoke_button
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, button.rect().center())
    await window.operations.wait_idle()
    result = window.event_editor.result_view.result
    tab.view.textCursor().insertText("# unsaved\n")
    window.close()
    asked = await until(lambda: window.close_question is not None)
    if asked and window.close_question is not None:
        window.close_question.button(window.close_question.StandardButton.Cancel).click()
    await asyncio.sleep(0.2)
    kept = window.isVisible() and tab.modified and window.session.engine is not None
    tab.view.document().setModified(False)
    return {"outside_edit_followed": followed, "reinvoked_new_code": bool(result and new.encode() in result.payload),
            "quit_asked": asked, "cancel_kept_window": kept}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--function", required=True)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--screenshot", type=Path, required=True)
    parser.add_argument("--empty", type=Path, help="an empty folder to open as a new project and add a function to")
    args = parser.parse_args()
    return run_in_window(args.project, lambda window: drive(window, args.function, args.screenshot, args.empty),
                         args.report)


def run_in_window(project: Path, script: Callable[[MainWindow], Awaitable[dict[str, object]]],
                  report: Path) -> int:
    """Open a real window on ``project``, run ``script`` in it, shut it down, and write its report as JSON."""
    app = application()
    loop = WorkbenchEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(load_project(project / "template.yaml"), remember_layout=False)
    route_errors(window, loop)

    async def run() -> dict[str, object]:
        try:
            return await script(window)
        finally:
            await window.shutdown()
            window.close()

    with loop:
        result = loop.run_until_complete(run())
    report.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
