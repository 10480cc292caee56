"""Files shipped with the workbench: the sample project, sample events, icons."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent
SAMPLE_PROJECT = RESOURCES_DIR / "sample-project"


def user_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lambda-workbench"


def sample_project_dir() -> Path:
    """A writable copy of the bundled sample project (made on first use), so users can edit and run it."""
    target = user_data_dir() / "sample-project"
    if not (target / "template.yaml").exists():
        shutil.copytree(SAMPLE_PROJECT, target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".workbench", "__pycache__"))
    return target
