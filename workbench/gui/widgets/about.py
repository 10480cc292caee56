"""Help → About: the version, what the workbench runs on (Python, Qt, the Docker engine) and the licences
of the bundled blueprints. Shown with `open()`; the Docker engine's version arrives when asked (it is a
round trip to the engine), so the box never waits on it."""

from __future__ import annotations

import html

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from workbench import __version__
from workbench.about import blueprint_licences, frozen, python_version

CHECKING = "checking…"


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Lambda Workbench")
        self.docker_version = CHECKING
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)
        self._render()

    def set_docker_version(self, version: str) -> None:
        self.docker_version = version
        self._render()

    def facts(self) -> dict[str, str]:
        """What the box shows, by name (tests read these rather than the rich text)."""
        return {
            "Version": __version__,
            "Python": python_version(),
            "Qt": f"{qVersion()} (PySide6 {PySide6.__version__})",
            "Docker engine": self.docker_version,
            "Build": "desktop bundle" if frozen() else "Python package",
        }

    def _render(self) -> None:
        rows = "".join(f"<tr><td><b>{html.escape(key)}</b>&nbsp;&nbsp;</td><td>{html.escape(value)}</td></tr>"
                       for key, value in self.facts().items())
        licences = blueprint_licences()
        blueprints = ("".join(f"<li>{html.escape(item.blueprint)}: {html.escape(item.licence)}</li>"
                              for item in licences) if licences else "<li>none bundled</li>")
        self.label.setText(
            "<h2>Lambda Workbench</h2>"
            "<p>Run, inspect and teach AWS-Lambda-style functions offline, on one machine.</p>"
            f"<table>{rows}</table>"
            f"<p><b>Bundled blueprints and their licences</b></p><ul>{blueprints}</ul>"
            "<p>Lambda Workbench is licensed under the Apache License 2.0.</p>")
