"""Where the shipped blueprints and application templates are.

The one locator of shipped data is `workbench.resources` (a clone, an editable install, a wheel and the
frozen bundle alike); this module only names the catalogue's folders inside it.
"""

from __future__ import annotations

from pathlib import Path

from workbench import resources
from workbench.catalog.errors import CatalogError

APP_TEMPLATES_FOLDER = "app-templates"


def blueprints_dir() -> Path:
    """The folder holding one folder per blueprint (and `app-templates/`)."""
    folder = resources.blueprints_dir()
    if not folder.is_dir():
        raise CatalogError(f"the blueprints are missing from this installation (looked in {folder}); "
                           "reinstall the workbench")
    return folder


def app_templates_dir() -> Path:
    return blueprints_dir() / APP_TEMPLATES_FOLDER
