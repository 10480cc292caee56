"""The ONE place that knows where the workbench's data files are, however it was installed.

The data lives in two top-level folders of the repository: `resources/` (icons, themes, the sample
project, sample events) and `blueprints/` (sample functions). Where they end up:

- a clone, or an editable install of one: beside the `workbench` package, in the repository root;
- a wheel (and so an sdist installed through one): inside the package, as `workbench/_resources` and
  `workbench/_blueprints` (setup.py maps the top-level folders to those two data packages);
- a PyInstaller bundle: the same two folders inside the bundle's `workbench/` (packaging/workbench.spec
  puts them there), so the rule for wheels serves bundles too.

Nothing else in the workbench builds a path to a data file; everything asks this module.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent

#: Top-level folder name -> its name inside an installed package or a bundle.
_INSTALLED_NAMES = {"resources": "_resources", "blueprints": "_blueprints"}


class MissingResourceError(FileNotFoundError):
    """A data file the workbench ships is not where it was installed: the installation is broken."""


def _data_dir(name: str) -> Path:
    """The folder holding the top-level data folder ``name``: the installed copy if there is one, else the clone's.

    The installed copy is looked for first: in a wheel, the package's parent is site-packages, where a folder
    called `resources` may well belong to someone else.
    """
    installed = _PACKAGE_DIR / _INSTALLED_NAMES[name]
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def resources_dir() -> Path:
    return _data_dir("resources")


def blueprints_dir() -> Path:
    """The bundled blueprints (one folder each). It may be empty or absent; callers list what is there."""
    return _data_dir("blueprints")


def docs_path() -> Path | None:
    """The offline documentation (the README) for Help > Documentation: a clone's, or one shipped in
    resources/docs; None when this installation has neither."""
    for candidate in (resources_dir() / "docs" / "README.md", _PACKAGE_DIR.parent / "README.md"):
        if candidate.is_file():
            return candidate
    return None


def resource_path(*parts: str) -> Path:
    """The path of a shipped resource, e.g. ``resource_path("icons", "lambda-workbench.svg")``.

    Raises MissingResourceError (naming the path) when the file is not there, rather than letting a caller
    fail later on a path that was never going to exist.
    """
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise MissingResourceError(f"the workbench's resource {'/'.join(parts)} is missing (looked in {path}); "
                                   "the installation is incomplete")
    return path


SAMPLE_PROJECT = resources_dir() / "sample-project"
EVENTS_DIR = resources_dir() / "events"
ICONS_DIR = resources_dir() / "icons"
THEMES_DIR = resources_dir() / "themes"

#: The application's id: the icon's, the desktop entry's and the AppStream component's name.
APP_ID = "io.github.lambdaworkbench.Workbench"

#: Shipped sample events, by file stem, with the name a menu shows.
SAMPLE_EVENT_TITLES = {
    "apigateway-rest": "API Gateway REST API (proxy)",
    "apigateway-http": "API Gateway HTTP API (payload 2.0)",
    "sqs": "SQS message batch",
    "sns": "SNS notification",
    "s3-put": "S3 object created",
    "dynamodb-stream": "DynamoDB stream records",
    "kinesis-stream": "Kinesis stream record",
    "eventbridge": "EventBridge custom event",
    "scheduled": "EventBridge scheduled event",
}


def sample_events() -> dict[str, Path]:
    """Menu title -> file of every shipped sample event."""
    return {title: EVENTS_DIR / f"{stem}.json" for stem, title in SAMPLE_EVENT_TITLES.items()}


def icon_path(size: int | None = None) -> Path:
    """The application icon: the SVG, or the PNG of ``size`` pixels (16, 24, 32, 48, 64, 128, 256, 512)."""
    if size is None:
        return resource_path("icons", "lambda-workbench.svg")
    return resource_path("icons", f"{size}x{size}", "lambda-workbench.png")


def theme_path(name: str) -> Path:
    return resource_path("themes", f"{name}.json")


def theme_names() -> list[str]:
    return sorted(path.stem for path in THEMES_DIR.glob("*.json"))


def user_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lambda-workbench"


def user_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "lambda-workbench"


def sample_project_dir() -> Path:
    """A writable copy of the bundled sample project (made on first use), so users can edit and run it.

    An installed package's files are read-only (and a bundle's belong to root), so the sample is never run
    where it was installed.
    """
    target = user_data_dir() / "sample-project"
    if not (target / "template.yaml").exists():
        shutil.copytree(resource_path("sample-project"), target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".workbench", "__pycache__"))
    return target
