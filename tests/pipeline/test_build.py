"""The Build stage on real checkouts of an application template: success, and each bad input failing with a
clear reason (a failing unit test, an invalid template, an unknown buildspec phase, a command that hangs)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from workbench.catalog.apptemplates import FILES, find_app_template
from workbench.pipeline.build import StageFailedError, run_build
from workbench.pipeline.buildspec import BuildspecError, load_buildspec
from workbench.pipeline.definition import DEFINITION_NAME, load_definition


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    target = tmp_path / "checkout"
    shutil.copytree(find_app_template("web-api").folder / FILES, target)
    return target


async def build(checkout: Path) -> tuple[list[str], object]:
    lines: list[str] = []

    async def log(text: str) -> None:
        lines.append(text)

    try:
        return lines, await run_build(checkout, load_definition(checkout / DEFINITION_NAME), "abc123", log)
    except StageFailedError as exc:
        return lines, exc


async def test_a_good_commit_builds_and_packages(checkout: Path) -> None:
    lines, output = await build(checkout)
    assert not isinstance(output, Exception), "".join(lines)
    assert "Ran 3 tests" in "".join(lines)
    assert set(output.packages) == {"items-api"}  # type: ignore[attr-defined]


async def test_a_failing_unit_test_fails_the_build(checkout: Path) -> None:
    app = checkout / "src" / "items" / "app.py"
    app.write_text(app.read_text().replace('return respond(405', 'return respond(200'))
    lines, output = await build(checkout)
    assert isinstance(output, StageFailedError)
    assert "phase pre_build: `python -m unittest discover -s tests -v` exited with status 1" in str(output)
    assert "FAILED" in "".join(lines)


async def test_an_invalid_template_fails_the_build_with_the_template_error(checkout: Path) -> None:
    template = checkout / "template.yaml"
    template.write_text(template.read_text().replace("      Handler: app.handler\n", ""))
    _, output = await build(checkout)
    assert isinstance(output, StageFailedError)
    assert "the template is invalid" in str(output) and "ItemsFunction.Handler" in str(output)


async def test_an_unknown_phase_is_named(checkout: Path) -> None:
    spec = checkout / "buildspec.yml"
    spec.write_text(spec.read_text().replace("  build:\n", "  biuld:\n"))
    _, output = await build(checkout)
    assert isinstance(output, StageFailedError)
    assert "unknown phase 'biuld'; the phases are install, pre_build, build, post_build" in str(output)
    with pytest.raises(BuildspecError, match=r"version must be 0\.2"):
        spec.write_text("version: 3\nphases: {build: {commands: [true]}}\n")
        load_buildspec(spec)


async def test_a_hanging_command_hits_the_stage_timeout(checkout: Path) -> None:
    (checkout / "pipeline.yaml").write_text((checkout / "pipeline.yaml").read_text().replace("timeout: 600",
                                                                                            "timeout: 1.5"))
    spec = checkout / "buildspec.yml"
    spec.write_text(spec.read_text().replace("      - python --version", "      - sleep 60 && echo never"))
    started = time.monotonic()
    lines, output = await build(checkout)
    assert time.monotonic() - started < 20
    assert isinstance(output, StageFailedError)
    assert "timed out after 1.5 s while running `sleep 60 && echo never`" in str(output)
    assert "never" not in "".join(lines).replace("echo never", "")
