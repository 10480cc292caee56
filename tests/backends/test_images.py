"""Runtime images: the mirror comes from apt's own configuration; a configured local base image is used
without any registry, is rebuilt only when it changes, and the first invoke without an image builds it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.docker_support import require_docker
from tests.helpers import make_project, running
from workbench.backends.aptsources import AptSource, NoAptSourceError, release_source
from workbench.backends.base import BackendError
from workbench.backends.images import configured_base_images, kind_of
from workbench.backends.ownership import owner_alive, owner_token
from workbench.model.runtimes import lookup_runtime

REPO = Path(__file__).resolve().parents[2]
MIRROR = "http://mirror.invalid/debian"  # a reserved name: never resolvable, never contacted


def _apt(tmp_path: Path, sources: dict[str, str]) -> Path:
    (tmp_path / "sources.list.d").mkdir(parents=True)
    for name, text in sources.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_release_source_from_deb822_skips_security_and_updates(tmp_path: Path) -> None:
    apt = _apt(tmp_path, {"sources.list.d/debian.sources": f"""\
Types: deb
URIs: {MIRROR}-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
# a comment inside a stanza
URIs: {MIRROR}
Suites: bookworm-updates bookworm
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""})
    assert release_source(apt) == AptSource(MIRROR, "bookworm", "/usr/share/keyrings/debian-archive-keyring.gpg")


def test_release_source_from_one_line_format_with_options(tmp_path: Path) -> None:
    apt = _apt(tmp_path, {"sources.list": f"""\
# deb http://old.invalid/debian buster main
deb-src {MIRROR} trixie main
deb [arch=amd64 signed-by=/etc/apt/keyrings/k.gpg] {MIRROR} trixie main non-free
"""})
    assert release_source(apt) == AptSource(MIRROR, "trixie", "/etc/apt/keyrings/k.gpg")


def test_no_usable_source_is_a_clear_error(tmp_path: Path) -> None:
    apt = _apt(tmp_path, {"sources.list.d/x.sources": f"Types: deb\nURIs: {MIRROR}\nSuites: sid-updates\n"
                                                      "Components: main\nEnabled: yes\n"})
    with pytest.raises(NoAptSourceError, match="no Debian release"):
        release_source(apt)


def test_base_image_setting_and_runtime_to_image_kind() -> None:
    assert configured_base_images("python=python:3.11-slim, nodejs=node:20") == {
        "python": "python:3.11-slim", "nodejs": "node:20"}
    assert configured_base_images("") == {}
    with pytest.raises(BackendError, match="KIND=IMAGE"):
        configured_base_images("perl=perl:5")
    assert kind_of(lookup_runtime("python3.12")) == "python"
    assert kind_of(lookup_runtime("provided.al2023")) == "python"  # custom runtimes run in the Python image
    assert kind_of(lookup_runtime("nodejs18.x")) == "nodejs"
    assert kind_of(lookup_runtime("java21")) == "java" and kind_of(lookup_runtime("ruby3.3")) == "ruby"
    assert kind_of(lookup_runtime("dotnet8")) == "mono"


def test_owner_token_tells_a_live_workbench_from_a_dead_one() -> None:
    assert owner_alive(owner_token())
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    dead_pid = int(finished.stdout)
    boot = owner_token().split("/")[0]
    assert not owner_alive(f"{boot}/{dead_pid}/12345")
    assert not owner_alive(f"another-boot/{os.getpid()}/1")
    assert not owner_alive("garbage")


@pytest.mark.docker
async def test_base_image_route_first_invoke_builds_and_says_so_then_prune(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    require_docker()
    from workbench.backends.docker_api import DockerApi
    from workbench.backends.images import VERSION_LABEL, RuntimeImages

    api = await DockerApi.connect()
    try:
        default_store = RuntimeImages(api, base_images={})
        debian_python = await default_store.find("python")
        assert debian_python is not None
        # A "local base image the user already has": a fresh tag of the Debian one, so that its ID is new.
        base = f"workbench-test-base:{uuid.uuid4().hex[:8]}"
        await api.label_image(debian_python.reference, base, {"workbench.test": "base"})
        monkeypatch.setenv("WORKBENCH_BASE_IMAGES", f"python={base}")
        configured = RuntimeImages(api)
        reference = await configured.reference("python")
        assert reference != debian_python.reference and await api.image_labels(reference) is None

        project = make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler",
                                                 "Runtime": "python3.11"}},
                               {"src/app.py": "def handler(event, context):\n    return 'hi'\n"})
        with caplog.at_level(logging.WARNING):
            async with running(project, "docker") as engine:
                result = await engine.invoke("Fn", b"{}")
        assert result.json() == "hi"
        assert any("no python runtime image yet: building it now" in r.getMessage() for r in caplog.records)
        labels = await api.image_labels(reference)
        assert labels is not None and labels[VERSION_LABEL] == debian_python.language_version
        # Unchanged inputs: nothing is rebuilt.
        steps: list[str] = []
        await RuntimeImages(api).build("python", steps.append)
        assert steps == [f"{reference} is up to date"]

        monkeypatch.delenv("WORKBENCH_BASE_IMAGES")
        removed = await RuntimeImages(api).prune()
        assert reference in removed and debian_python.reference not in removed
        assert await api.image_labels(reference) is None
        assert await api.image_labels(debian_python.reference) is not None
        await api.remove_image(base)
    finally:
        await api.close()


@pytest.mark.docker
def test_images_cli_lists_current_images_and_builds_nothing_when_up_to_date() -> None:
    require_docker()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("WORKBENCH_BASE_IMAGES", None)
    listed = subprocess.run([sys.executable, "-m", "workbench", "images", "list"], capture_output=True, text=True,
                            env=env, timeout=60, check=True)
    current = [line for line in listed.stdout.splitlines() if line.startswith("*")]
    assert {line.split()[1] for line in current} == {"python", "nodejs", "ruby", "java", "mono"}
    built = subprocess.run([sys.executable, "-m", "workbench", "images", "build", "--runtime", "python3.11",
                            "--runtime", "provided"], capture_output=True, text=True, env=env, timeout=60, check=True)
    assert built.stdout.count("is up to date") == 1, built.stdout


async def test_a_cancelled_build_step_does_not_go_on_alone() -> None:
    import asyncio

    from workbench.backends import rootfs

    pids: list[str] = []
    step = asyncio.create_task(rootfs._run(["sh", "-c", "echo $$; exec sleep 30"], pids.append, "sleeping"))
    while not pids:
        await asyncio.sleep(0.01)
    step.cancel()
    with pytest.raises(asyncio.CancelledError):
        await step
    assert not Path(f"/proc/{pids[0]}").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting needs root")
def test_mounts_left_inside_a_build_folder_are_detached(tmp_path: Path) -> None:
    from workbench.backends import rootfs

    inner = tmp_path / "rootfs" / "proc"
    inner.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "leftover", str(inner)], check=True)
    (inner / "file").write_text("inside the mount")
    rootfs.unmount_below(tmp_path)
    assert not (inner / "file").exists()
    assert str(inner) not in Path("/proc/self/mounts").read_text()
