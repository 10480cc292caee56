"""Without a usable Docker, the Docker tests skip locally (saying how to enable them) and fail in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ONE_DOCKER_TEST = "tests/behaviour/test_payload_limits.py::test_response_over_6mb_is_function_response_size_too_large"


def _pytest_without_docker(**extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "WORKBENCH_REQUIRE_DOCKER")}
    env.update({"DOCKER_HOST": "unix:///nonexistent/docker.sock", **extra_env})
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           f"{ONE_DOCKER_TEST}[docker]"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)


def test_docker_tests_skip_locally_with_instructions() -> None:
    done = _pytest_without_docker()
    assert done.returncode == 0, done.stdout
    assert "1 skipped" in done.stdout
    assert "Docker tests skipped: cannot reach a Docker engine" in done.stdout
    assert "apt-get install docker.io" in done.stdout


def test_docker_tests_fail_in_ci() -> None:
    done = _pytest_without_docker(CI="true")
    assert done.returncode == 1, done.stdout
    assert "Docker tests are required here but Docker is unusable" in done.stdout
