"""Where the shipped blueprints are: the one place that knows the difference between a clone and a wheel.

In a clone (and an editable install) they are the repository's top-level `blueprints/`, beside the
`workbench` package. A wheel cannot carry files outside its packages, so the build copies them into
`workbench/catalog/_shipped/blueprints/` (see setup.py); that copy wins when it exists.
"""

from __future__ import annotations

from pathlib import Path

from workbench.catalog.errors import CatalogError

_PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_DIR = _PACKAGE_DIR / "_shipped" / "blueprints"
CLONE_DIR = _PACKAGE_DIR.parent.parent / "blueprints"
APP_TEMPLATES_FOLDER = "app-templates"


def blueprints_dir() -> Path:
    """The folder holding one folder per blueprint (and `app-templates/`)."""
    for candidate in (SHIPPED_DIR, CLONE_DIR):
        if candidate.is_dir():
            return candidate
    raise CatalogError(f"the blueprints are missing from this installation (looked in {SHIPPED_DIR} and "
                       f"{CLONE_DIR}); reinstall the workbench")


def app_templates_dir() -> Path:
    return blueprints_dir() / APP_TEMPLATES_FOLDER
