"""`workbench gui --demo --screenshot FILE`, as a user (and the README) runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from workbench.resources import SAMPLE_PROJECT


@pytest.mark.slow
def test_demo_plays_and_saves_a_screenshot(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE_PROJECT, tmp_path / "sample", ignore=shutil.ignore_patterns(".workbench", "__pycache__"))
    shot = tmp_path / "shot.png"
    # No display at all: the demo chooses the offscreen platform itself (CI, or refreshing the README).
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    result = subprocess.run([sys.executable, "-m", "workbench", "gui", "--project", str(tmp_path / "sample"),
                             "--demo", "--screenshot", str(shot)], capture_output=True, text=True, timeout=100,
                            env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    image = QImage(str(shot))
    assert image.width() >= 1280 and image.height() >= 800
    assert not (tmp_path / "config" / "lambda-workbench" / "gui.ini").exists(), "the demo leaves the layout alone"
    assert not (tmp_path / "sample" / ".workbench").exists(), "the demo plays on a copy of the project"


@pytest.mark.slow
def test_an_empty_folder_opens_as_an_empty_project_and_screenshot_saves_the_first_window(tmp_path: Path) -> None:
    """D23: `--project EMPTY_DIR` opens on an empty project; `--screenshot` without `--demo` saves the first
    window once it is shown and exits."""
    empty = tmp_path / "empty"
    empty.mkdir()
    shot = tmp_path / "first.png"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    result = subprocess.run([sys.executable, "-m", "workbench", "gui", "--project", str(empty), "--screenshot",
                             str(shot), "--slow-motion", "3", "--account-limit", "50"], capture_output=True,
                            text=True, timeout=100, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    image = QImage(str(shot))
    assert image.width() >= 1280 and image.height() >= 800
    assert not (empty / "template.yaml").exists(), "nothing is written before the first function"
    assert not (tmp_path / "config" / "lambda-workbench" / "gui.ini").exists()


def test_classroom_flags_are_checked(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "workbench", "gui", "--project", str(tmp_path),
                             "--slow-motion", "0.5"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "slow motion must be at least 1" in result.stderr


def test_without_a_display_the_window_explains(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    result = subprocess.run([sys.executable, "-m", "workbench", "gui"], capture_output=True, text=True,
                            timeout=30, env=env)
    assert result.returncode == 2 and "no display" in result.stderr


@pytest.mark.parametrize(("target", "problem"), [("folder", "is a folder"), ("under-a-file/shot.png", "cannot make")])
def test_a_screenshot_that_cannot_be_written_is_refused_before_the_window_opens(tmp_path: Path, target: str,
                                                                               problem: str) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "under-a-file").write_text("a file, not a folder")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-m", "workbench", "gui", "--project", str(tmp_path / "folder"),
                             "--screenshot", str(tmp_path / target)], capture_output=True, text=True, timeout=60,
                            env=env)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"--screenshot {tmp_path / target}: {problem}" in result.stderr and "Traceback" not in result.stderr
