"""The freedesktop files pass Debian's own validators, and agree with each other and with the version."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from workbench import __version__
from workbench.resources import APP_ID, icon_path

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
MIME = PACKAGING / f"{APP_ID}.mime.xml"


def tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (apt-get install {package}; .ci/run installs it)")
    return found


def test_the_desktop_entry_is_valid_and_opens_templates() -> None:
    done = subprocess.run([tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "error" not in done.stdout, done.stdout + done.stderr
    entry = dict(line.split("=", 1) for line in DESKTOP.read_text().splitlines() if "=" in line)
    assert entry["Exec"] == "workbench gui %f" and entry["Icon"] == APP_ID
    assert entry["MimeType"] == "application/x-lambda-workbench-template;"


def test_the_metainfo_is_valid_and_names_this_release() -> None:
    done = subprocess.run([tool("appstreamcli", "appstream"), "validate", "--no-net", str(METAINFO)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == DESKTOP.name  # type: ignore[union-attr]
    assert root.find("screenshots/screenshot/image") is not None
    newest = root.find("releases/release")
    assert newest is not None and newest.get("version") == __version__, "release notes for this version"
    assert newest.find("description") is not None


def test_the_mime_type_claims_template_yaml_only(tmp_path: Path) -> None:
    """Compile the MIME package as the system would and check the glob it produces."""
    packages = tmp_path / "mime" / "packages"
    packages.mkdir(parents=True)
    shutil.copy(MIME, packages / f"{APP_ID}.xml")
    done = subprocess.run([tool("update-mime-database", "shared-mime-info"), str(tmp_path / "mime")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    globs = (tmp_path / "mime" / "globs2").read_text().splitlines()
    ours = [line for line in globs if "x-lambda-workbench-template" in line]
    assert sorted(line.split(":", 2)[2] for line in ours) == ["template.yaml", "template.yml"]


def test_the_icon_is_shipped_in_every_size() -> None:
    from PySide6.QtGui import QImage

    assert icon_path().read_text().lstrip().startswith("<?xml")
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        image = QImage(str(icon_path(size)))
        assert (image.width(), image.height()) == (size, size)
