"""Help → About names the versions the workbench runs on; the light and dark themes are data that loads."""

from __future__ import annotations

import sys
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import qVersion
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from tests.docker_support import docker_required
from tests.gui.conftest import running_window, wait_for
from workbench import __version__
from workbench.about import blueprint_licences
from workbench.gui import theme
from workbench.gui.widgets.about import CHECKING
from workbench.model.project import Project


async def test_the_about_box(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        window.about_action.trigger()
        dialog = window._about
        assert dialog is not None and dialog.isVisible()
        facts = dialog.facts()
        assert facts["Version"] == __version__
        assert facts["Python"].startswith(".".join(map(str, sys.version_info[:3])))
        assert facts["Qt"] == f"{qVersion()} (PySide6 {PySide6.__version__})"
        await wait_for(lambda: dialog.facts()["Docker engine"] != CHECKING, message="the Docker engine's answer")
        docker = dialog.facts()["Docker engine"]
        if docker_required():
            assert docker[0].isdigit(), docker   # CI has an engine: its version, e.g. "20.10.24"
        else:
            assert docker[0].isdigit() or docker.startswith("not reachable"), docker
        assert __version__ in dialog.label.text() and "blueprints" in dialog.label.text()
        dialog.close()


def test_blueprint_licences_come_from_their_manifests(tmp_path: Path) -> None:
    (tmp_path / "hello-python").mkdir()
    (tmp_path / "hello-python" / "blueprint.yaml").write_text("name: Hello\nlicense: CC0-1.0\n")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "blueprint.yaml").write_text("license: [unclosed\n")
    (tmp_path / ".hidden").mkdir()
    found = {item.blueprint: item.licence for item in blueprint_licences(tmp_path)}
    assert found == {"hello-python": "CC0-1.0", "broken": "not declared (no license in blueprint.yaml)"}
    assert blueprint_licences(tmp_path / "absent") == []


def test_both_themes_load_and_apply() -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        theme.apply(app, "dark")
        assert theme.current.name == "dark" and theme.GRAPH_BACKGROUND == "#1a1b1e"
        assert app.palette().color(QPalette.ColorRole.Window).name() == "#25262b"
        assert set(theme.STATE_COLOURS) == {"starting", "initialising", "idle", "frozen", "busy", "stopped"}
        theme.apply(app, "light")
        assert app.palette().color(QPalette.ColorRole.Window).name() == "#f1f3f5"
        assert theme.ERROR_COLOUR == "#c92a2a"
    finally:
        theme.apply(app, "light")


def test_an_unknown_theme_is_a_clear_error() -> None:
    with pytest.raises(theme.ThemeError, match="no theme 'neon'; the themes are: dark, light"):
        theme.load_theme("neon")
