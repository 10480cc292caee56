"""What the About box and bug reports tell: the workbench's version and what it runs on.

No Qt here (the GUI adds Qt's own versions), so the CLI can print the same facts.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from workbench import __version__
from workbench.resources import blueprints_dir

#: The manifest every blueprint folder holds; its `license` (SPDX id) is what the About box lists.
BLUEPRINT_MANIFEST = "blueprint.yaml"


@dataclass(frozen=True, slots=True)
class BlueprintLicence:
    blueprint: str
    licence: str


def python_version() -> str:
    return f"{platform.python_version()} ({platform.python_implementation()})"


def frozen() -> bool:
    """Whether this is the PyInstaller bundle (the .deb's) rather than a Python installation."""
    return bool(getattr(sys, "frozen", False))


def blueprint_licences(folder: Path | None = None) -> list[BlueprintLicence]:
    """The licence each bundled blueprint declares in its manifest; a missing or unreadable one says so."""
    root = folder or blueprints_dir()
    if not root.is_dir():
        return []
    licences: list[BlueprintLicence] = []
    for manifest_dir in sorted(path for path in root.iterdir() if path.is_dir() and not path.name.startswith(".")):
        manifest = manifest_dir / BLUEPRINT_MANIFEST
        try:
            document = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            document = None
        declared = None
        if isinstance(document, dict):
            declared = document.get("license") or document.get("License")
        licences.append(BlueprintLicence(manifest_dir.name, str(declared) if declared else
                                         f"not declared (no license in {BLUEPRINT_MANIFEST})"))
    return licences


async def docker_engine_version() -> str:
    """The local Docker engine's version, or why there is none (never raises: the About box shows either)."""
    try:
        from workbench.backends.docker_api import DockerApi  # the docker SDK only when asked
    except ImportError:
        return "not available (the docker Python package is not installed)"
    try:
        api = await DockerApi.connect()
    except Exception as exc:
        return f"not reachable ({str(exc).split('. ')[0]})"
    try:
        return await api.engine_version()
    except Exception as exc:
        return f"unknown ({exc})"
    finally:
        await api.close()


def summary_lines() -> list[str]:
    """The facts that need no engine: version, Python, platform and how the workbench was installed."""
    return [
        f"Lambda Workbench {__version__}",
        f"Python {python_version()}",
        f"Platform {platform.platform()}",
        "Installed as " + ("the desktop bundle" if frozen() else f"a Python package ({Path(__file__).parent})"),
    ]
