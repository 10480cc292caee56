"""Engine → Services endpoint…: the external AWS endpoint setting (`--aws-endpoint`) from the GUI. A bad URL
is refused in the dialog; a good one restarts the engine, whose functions then get it as AWS_ENDPOINT_URL; an
empty one goes back to the local services."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QMenu

from tests.gui.conftest import running_window, wait_for
from tests.helpers import make_project
from workbench.gui.main_window import MainWindow
from workbench.gui.widgets.endpoint_dialog import ACTION_TEXT, EndpointDialog

APP = """\
import os

def handler(event, context):
    return {"endpoint": os.environ.get("AWS_ENDPOINT_URL")}
"""


def _open_dialog(window: MainWindow) -> EndpointDialog:
    engine_menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&Engine")
    assert isinstance(engine_menu, QMenu)
    action = next(action for action in engine_menu.actions() if action.text() == ACTION_TEXT)
    action.trigger()
    shown = [dialog for dialog in window.findChildren(EndpointDialog) if dialog.isVisible()]
    assert len(shown) == 1
    return shown[0]


async def _endpoint_seen_by_functions(window: MainWindow) -> str | None:
    engine = window.session.require()
    result = await engine.invoke("reporter", b"{}")
    assert result.function_error is None, result.payload
    endpoint: str | None = json.loads(result.payload)["endpoint"]
    return endpoint


async def test_the_services_endpoint_is_chosen_in_the_gui(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {
        "Reporter": {"FunctionName": "reporter", "CodeUri": "src", "Handler": "app.handler",
                     "Runtime": "python3.12"}}, files={"src/app.py": APP})
    async with running_window(project, tmp_path) as window:
        first = window.session.engine
        assert first is not None and first.settings.aws_endpoint is None
        local = await _endpoint_seen_by_functions(window)
        assert local is not None and local.startswith("http://127.0.0.1:")

        dialog = _open_dialog(window)
        dialog.field.setText("127.0.0.1:4566")  # no scheme: refused, the dialog stays
        dialog.accept()
        assert dialog.isVisible() and "http(s)://host[:port]" in dialog.problem.text()
        dialog.field.setText("http://127.0.0.1:4566/")
        dialog.accept()
        await wait_for(lambda: window.session.engine is not first and window.session.engine is not None
                       and window.session.engine.running, message="the engine to restart")
        await window.operations.wait_idle()
        engine = window.session.require()
        assert engine.settings.aws_endpoint == "http://127.0.0.1:4566"
        assert engine.services.external_endpoint == "http://127.0.0.1:4566"
        assert await _endpoint_seen_by_functions(window) == "http://127.0.0.1:4566"

        dialog = _open_dialog(window)
        assert dialog.field.text() == "http://127.0.0.1:4566"
        dialog.field.clear()
        dialog.accept()
        await wait_for(lambda: window.session.engine is not engine and window.session.engine is not None
                       and window.session.engine.running, message="the engine to restart")
        await window.operations.wait_idle()
        assert window.session.require().settings.aws_endpoint is None
        back = await _endpoint_seen_by_functions(window)
        assert back is not None and back.startswith("http://127.0.0.1:") and back != "http://127.0.0.1:4566"
