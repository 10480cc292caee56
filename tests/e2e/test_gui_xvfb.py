"""End to end: the workbench in a real X window (Xvfb), invoked through its UI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.gui.conftest import PYTHON_APP
from tests.helpers import make_project
from workbench.resources import SAMPLE_PROJECT

SCREEN = "1680x1050x24"
#: A classroom projector.
PROJECTOR = "1280x800x24"


def start_xvfb(screen: str) -> Iterator[str]:
    """A fresh Xvfb server of ``screen`` (WxHxDepth); its display name (":N")."""
    binary = shutil.which("Xvfb")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("Xvfb is not installed (.ci/run installs the xvfb package)")
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen([binary, "-displayfd", str(write_end), "-screen", "0", screen, "-nolisten", "tcp"],
                              pass_fds=[write_end], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        assert number.isdigit(), "Xvfb did not report its display"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    yield from start_xvfb(SCREEN)


@pytest.fixture
def projector_display() -> Iterator[str]:
    yield from start_xvfb(PROJECTOR)


@pytest.mark.slow
def test_invoke_through_the_ui_in_a_real_window(xvfb_display: str, tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {
        "Greeter": {"FunctionName": "greeter", "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"},
    }, files={"src/app.py": PYTHON_APP})
    report_path = tmp_path / "report.json"
    shot = Path(os.environ.get("WORKBENCH_E2E_SCREENSHOT", tmp_path / "screen.png"))
    env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb", "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    driver = Path(__file__).with_name("drive_gui.py")
    empty = tmp_path / "new-project"
    empty.mkdir()
    result = subprocess.run([sys.executable, str(driver), "--project", str(project.root), "--function", "greeter",
                             "--report", str(report_path), "--screenshot", str(shot), "--empty", str(empty)],
                            capture_output=True, text=True, timeout=100, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["platform"] == "xcb" and report["exposed"], report
    assert report["invoked"] and report["cold_start"], report
    assert report["tree_badge"] and report["logs"] and report["traces"] and report["graph"], report
    assert report["new_project_opened"] and report["function_created"] and report["new_function_invoked"], report
    assert report["outside_edit_followed"] and report["reinvoked_new_code"], report
    assert report["quit_asked"] and report["cancel_kept_window"], report
    assert report["configuration_files"], report
    assert "QThread: Destroyed" not in result.stderr, result.stderr[-3000:]   # the file tree's thread stopped
    assert report["errors"] == []
    assert report["saved"] and report["screen"] == [1680, 1050]
    image = QImage(str(shot))
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
    assert len(colours) > 20, "the screen shows the window, not an empty display"


@pytest.mark.slow
def test_a_lesson_plays_in_a_real_window_on_a_projector(projector_display: str, tmp_path: Path) -> None:
    """The asynchronous retries lesson, clicked through step by step at 1280x800: every expectation holds, each
    step's pane is highlighted, and the screen shows the window."""
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE_PROJECT, project, ignore=shutil.ignore_patterns(".workbench", "__pycache__"))
    report_path = tmp_path / "report.json"
    shot = Path(os.environ.get("WORKBENCH_E2E_LESSON_SCREENSHOT", tmp_path / "lesson.png"))
    env = {**os.environ, "DISPLAY": projector_display, "QT_QPA_PLATFORM": "xcb",
           "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    result = subprocess.run([sys.executable, str(Path(__file__).with_name("play_lesson.py")), "--project",
                             str(project), "--lesson", "async-retries-dlq", "--report", str(report_path),
                             "--screenshot", str(shot)], capture_output=True, text=True, timeout=150, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["platform"] == "xcb" and report["exposed"] and report["finished"], report
    assert len(report["outcomes"]) == report["steps"] and report["errors"] == [], report
    assert "as expected: async_attempts 3" in report["outcomes"][4], report["outcomes"]
    assert report["highlighted"][4] == "asynchronous", report
    assert report["saved"] and report["screen"] == [1280, 800]
    assert report["window"][0] <= 1280 and report["window"][1] <= 800, report
    image = QImage(str(shot))
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
    assert len(colours) > 20, "the screen shows the window, not an empty display"


@pytest.mark.slow
@pytest.mark.parametrize("demo", [[], ["--demo"]], ids=["first window", "demo"])
def test_the_screenshot_command_exits_cleanly_on_a_projector(projector_display: str, tmp_path: Path,
                                                             demo: list[str]) -> None:
    """`workbench gui --project P [--demo] --screenshot F`, a real process on a 1280x800 X screen: it saves the
    window at the size the screen gives it (the frame included, the window is smaller than the screen) and exits
    0, and no Qt thread (the file tree's, the engine's) is left running at exit."""
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE_PROJECT, project, ignore=shutil.ignore_patterns(".workbench", "__pycache__"))
    shot = tmp_path / "first.png"
    env = {**os.environ, "DISPLAY": projector_display, "QT_QPA_PLATFORM": "xcb",
           "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    result = subprocess.run([sys.executable, "-m", "workbench", "gui", "--project", str(project), *demo,
                             "--screenshot", str(shot)], capture_output=True, text=True, timeout=150, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    image = QImage(str(shot))
    assert 0 < image.width() <= 1280 and 0 < image.height() <= 800
    assert "QThread: Destroyed" not in result.stderr, result.stderr[-3000:]
