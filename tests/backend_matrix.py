"""The `backend` fixture of tests that must hold on every backend alike: the process backend twice, in its
sandbox (bubblewrap, where the machine has it) and without one (the fallback), and Docker. A test that takes
it runs once per entry of BACKENDS and gets the backend's name to give the engine."""

from __future__ import annotations

import pytest

from tests.docker_support import require_docker
from tests.sandbox_support import require_sandbox

BACKENDS = ["process", "process-unsandboxed", "docker"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    name: str = request.param
    if name == "docker":
        require_docker()
    if name == "process":
        require_sandbox()
        monkeypatch.setenv("WORKBENCH_SANDBOX", "required")
    if name == "process-unsandboxed":
        monkeypatch.setenv("WORKBENCH_SANDBOX", "off")
        return "process"
    return name
