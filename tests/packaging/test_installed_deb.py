"""The real thing: the .deb that `make dist` built, installed with apt-get, run as a user runs it, removed.

Needs root and dist/lambda-workbench_<version>_<arch>.deb (`make dist`; CI builds it once per run). Without
them the tests skip, saying so; in CI (CI=true) or with WORKBENCH_REQUIRE_DIST=1 that is a failure.
Every command runs with a minimal environment (no virtual environment on PATH, no PYTHONPATH), from a
folder outside the repository, so the installed bundle has only itself to run on.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docker_support import docker_problem, docker_required
from workbench import __version__
from workbench.resources import APP_ID, SAMPLE_PROJECT

pytestmark = [pytest.mark.dist, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "lambda-workbench"
SCREEN = (1920, 1200)      # larger than the window, so a screenshot of the screen would not pass for one of it
WINDOW = (1680, 1050)      # the window's default size (workbench.gui.main_window.DEFAULT_SIZE)


def _required() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes") or os.environ.get("WORKBENCH_REQUIRE_DIST") == "1"


def _unavailable(reason: str) -> None:
    if _required():
        pytest.fail(reason)
    pytest.skip(reason + " (set WORKBENCH_REQUIRE_DIST=1 to make this a failure)")


def the_deb() -> Path:
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        _unavailable("installing the .deb needs root and apt-get")
    debs = sorted((ROOT / "dist").glob(f"{PACKAGE}_{__version__}_*.deb"))
    if not debs:
        _unavailable(f"no dist/{PACKAGE}_{__version__}_*.deb: run `make dist` first")
    return debs[0]


def user_env(home: Path, **extra: str) -> dict[str, str]:
    return {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share"),
            "LANG": "C.UTF-8", **extra}


def run(command: list[str], home: Path, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=user_env(home, **extra),
                          cwd=home, check=False)


def apt_get(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["apt-get", "-y", "-q", "--no-install-recommends", *args], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """The package installed; its file list (dpkg -L). Removed at the end if a test did not."""
    deb = the_deb()
    done = apt_get("install", "--reinstall", str(deb))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    files = subprocess.run(["dpkg", "-L", PACKAGE], capture_output=True, text=True, check=True).stdout.split("\n")
    yield [path for path in files if path.strip()]
    if subprocess.run(["dpkg", "-s", PACKAGE], capture_output=True, check=False).returncode == 0:
        apt_get("purge", PACKAGE)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def test_installed_where_the_desktop_looks(installed: list[str]) -> None:
    assert Path("/usr/bin/workbench").resolve() == Path(f"/usr/lib/{PACKAGE}/workbench")
    for path in (f"/usr/share/applications/{APP_ID}.desktop", f"/usr/share/metainfo/{APP_ID}.metainfo.xml",
                 f"/usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
                 f"/usr/share/icons/hicolor/48x48/apps/{APP_ID}.png", f"/usr/share/mime/packages/{APP_ID}.xml"):
        assert path in installed and Path(path).is_file(), path
    if shutil.which("update-mime-database"):   # shared-mime-info's trigger compiled our type into the cache
        assert Path("/usr/share/mime/application/x-lambda-workbench-template.xml").is_file()
    done = subprocess.run(["desktop-file-validate", f"/usr/share/applications/{APP_ID}.desktop"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


def test_version(installed: list[str], home: Path) -> None:
    done = run(["workbench", "--version"], home)
    assert done.returncode == 0 and done.stdout.strip() == f"workbench {__version__}", done.stderr


def test_invoke_the_sample_project(installed: list[str], home: Path) -> None:
    project = home / "sample"
    shutil.copytree(SAMPLE_PROJECT, project, ignore=shutil.ignore_patterns(".workbench", "__pycache__"))
    functions = ["HelloPython"] + (["HelloNode"] if shutil.which("node") else [])
    for function in functions:
        done = run(["workbench", "invoke", "--project", str(project), function, "--event-json", '{"name": "deb"}'],
                   home)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "REPORT RequestId:" in done.stderr and "Init Duration:" in done.stderr
        assert json.loads(done.stdout.strip().splitlines()[-1])["environment"]


def test_invoke_on_the_docker_backend(installed: list[str], home: Path) -> None:
    problem = docker_problem()
    if problem is not None:
        if docker_required():
            pytest.fail(problem)
        pytest.skip(problem)
    project = home / "sample"
    shutil.copytree(SAMPLE_PROJECT, project, ignore=shutil.ignore_patterns(".workbench", "__pycache__"))
    done = run(["workbench", "invoke", "--backend", "docker", "--project", str(project), "HelloPython"], home,
               timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "REPORT RequestId:" in done.stderr


def test_the_gui_in_a_real_x_window(installed: list[str], home: Path) -> None:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.fail("Xvfb is not installed (.ci/run installs the xvfb package)")
    read_end, write_end = os.pipe()
    with subprocess.Popen([xvfb, "-displayfd", str(write_end), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                           "-nolisten", "tcp"], pass_fds=[write_end], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL) as server:
        os.close(write_end)
        try:
            with os.fdopen(read_end) as pipe:
                display = ":" + pipe.readline().strip()
            shot = home / "shot.png"
            done = run(["workbench", "gui", "--demo", "--screenshot", str(shot)], home, timeout=180,
                       DISPLAY=display)
            assert done.returncode == 0, done.stderr[-3000:]
        finally:
            server.terminate()
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert (image.width(), image.height()) == WINDOW, "the screenshot is the window, not the screen"
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
    assert len(colours) > 20, "the window has its panes drawn"


def test_without_a_display_the_installed_app_explains(installed: list[str], home: Path) -> None:
    done = run(["workbench", "gui"], home)
    assert done.returncode == 2 and "no display to open the window on" in done.stderr


def test_removing_leaves_nothing_behind(installed: list[str]) -> None:
    done = apt_get("purge", PACKAGE)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    left = [path for path in installed if os.path.lexists(path) and not Path(path).is_dir()]
    assert left == [], left
    assert not Path(f"/usr/lib/{PACKAGE}").exists(), "the bundle's folder is gone, __pycache__ and all"
    assert not Path("/usr/share/mime/application/x-lambda-workbench-template.xml").exists()
