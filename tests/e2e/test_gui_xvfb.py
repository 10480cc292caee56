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

SCREEN = "1680x1050x24"


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    """A fresh Xvfb server; its display name (":N")."""
    binary = shutil.which("Xvfb")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("Xvfb is not installed (.ci/run installs the xvfb package)")
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen([binary, "-displayfd", str(write_end), "-screen", "0", SCREEN, "-nolisten", "tcp"],
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
    assert report["errors"] == []
    assert report["saved"] and report["screen"] == [1680, 1050]
    image = QImage(str(shot))
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
    assert len(colours) > 20, "the screen shows the window, not an empty display"
