"""One locator finds the data from a clone, an editable install and a wheel (the bundle: test_installed_deb)."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from workbench import resources

ROOT = Path(__file__).resolve().parents[2]

#: Run in a fresh interpreter: where every data folder was found, and whether its key files are there.
PROBE = """
import json, sys
from workbench import resources as r
print(json.dumps({"module": r.__file__, "resources": str(r.resources_dir()), "blueprints": str(r.blueprints_dir()),
                  "template": r.resource_path("sample-project", "template.yaml").is_file(),
                  "events": all(p.is_file() for p in r.sample_events().values()),
                  "themes": r.theme_names(), "icon": r.icon_path(256).is_file(),
                  "blueprints_dir": r.blueprints_dir().is_dir()}))
"""


def probe(*args: str, cwd: Path, env: dict[str, str] | None = None) -> dict[str, object]:
    done = subprocess.run([sys.executable, *args, "-c", PROBE], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout)
    return found


def test_from_the_clone_the_top_level_folders_are_used() -> None:
    assert resources.resources_dir() == ROOT / "resources"
    assert resources.blueprints_dir() == ROOT / "blueprints"
    assert resources.SAMPLE_PROJECT == ROOT / "resources" / "sample-project"


def test_a_missing_resource_is_a_clear_error() -> None:
    with pytest.raises(resources.MissingResourceError, match=r"icons/nope\.svg is missing"):
        resources.resource_path("icons", "nope.svg")


@pytest.mark.slow
def test_the_wheel_and_sdist_carry_the_data_and_the_wheel_finds_it(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path / "dist"),
                           str(ROOT)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    sdist = next((tmp_path / "dist").glob("*.tar.gz"))
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"resources/sample-project/template.yaml", "resources/themes/dark.json",
            "blueprints/hello-world-python/blueprint.yaml", "blueprints/app-templates/web-api/app-template.yaml",
            "packaging/workbench.spec", "setup.py"} <= names
    wheel = next((tmp_path / "dist").glob("*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    assert (site / "workbench" / "_resources" / "icons" / "lambda-workbench.svg").is_file()
    assert (site / "workbench" / "_blueprints" / "hello-world-python" / "blueprint.yaml").is_file()
    assert (site / "workbench" / "_blueprints" / "app-templates" / "queue-worker" / "app-template.yaml").is_file()
    # -S: no site-packages, so the clone's editable install cannot answer instead of the unpacked wheel.
    found = probe("-S", cwd=tmp_path, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert str(found["module"]).startswith(str(site))
    assert found["resources"] == str(site / "workbench" / "_resources")
    assert found["blueprints"] == str(site / "workbench" / "_blueprints")
    assert found["template"] and found["events"] and found["icon"] and found["blueprints_dir"]
    assert found["themes"] == ["dark", "light"]
