"""GUI tests run on the workbench's own Qt/asyncio loop (async tests; pytest-asyncio takes the loop factory
from the hook below), with a real engine and real runtime processes underneath, offscreen."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import make_project
from workbench.engine.core.settings import EngineSettings
from workbench.gui.app import application, wait_until_running
from workbench.gui.loop import WorkbenchEventLoop
from workbench.gui.main_window import MainWindow
from workbench.gui.widgets.message_bar import Level
from workbench.model.project import Project, load_project
from workbench.resources import SAMPLE_PROJECT


def _qt_loop() -> asyncio.AbstractEventLoop:
    return WorkbenchEventLoop(application())


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> Mapping[str, Callable[[], Any]]:
    del config, item
    return {"qt": _qt_loop}


async def wait_for(condition: Callable[[], object], timeout: float = 15.0, message: str = "") -> None:
    """Let the loop (Qt and the engine) run until ``condition()`` is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {message or condition}")
        await asyncio.sleep(0.02)


PYTHON_APP = """\
import os, time, logging
logger = logging.getLogger()
logger.setLevel(logging.INFO)

def handler(event, context):
    if event.get("sleep_ms"):
        time.sleep(event["sleep_ms"] / 1000)
    if event.get("warn"):
        logger.warning("careful: %s", event["warn"])
    print("handled", event.get("name", "nobody"))
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"hello": event.get("name", "nobody"), "version": 1}
"""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """Two small Python functions in a fresh folder."""
    return make_project(tmp_path / "project", {
        "Greeter": {"FunctionName": "greeter", "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                    "Timeout": 10},
        "Other": {"FunctionName": "other", "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"},
    }, files={"src/app.py": PYTHON_APP})


@pytest.fixture
def sample_project(tmp_path: Path) -> Project:
    shutil.copytree(SAMPLE_PROJECT, tmp_path / "sample", ignore=shutil.ignore_patterns(".workbench", "__pycache__"))
    return load_project(tmp_path / "sample" / "template.yaml")


@contextlib.asynccontextmanager
async def running_window(project: Project, tmp_path: Path, *, expect_errors: bool = False,
                         settings: EngineSettings | None = None, remember_layout: bool = False,
                         settings_path: Path | None = None) -> AsyncIterator[MainWindow]:
    """A shown main window with its engine running; shut down (engine closed, processes gone) afterwards."""
    window = MainWindow(project, engine_settings=settings, settings_path=settings_path or tmp_path / "gui.ini",
                        remember_layout=remember_layout)
    window.show()
    try:
        window.start_engine()
        await wait_until_running(window, timeout_s=30)
        yield window
        await window.operations.wait_idle()
        if not expect_errors:
            errors = [m for m in window.message_bar.history if m.level is Level.ERROR]
            assert not errors, errors
    finally:
        await window.shutdown()
        window.close()
        await wait_for(lambda: not window.isVisible(), message="the window to close")
        window.deleteLater()
        await asyncio.sleep(0)


async def invoke_through_ui(window: MainWindow, function: str, event: str) -> None:
    editor = window.event_editor
    editor.select_function(function)
    editor.editor.setPlainText(event)
    editor.invoke_button.click()
    await window.operations.wait_idle()
