"""The behaviour suite runs once per backend, so every backend is held to the same standard."""

from __future__ import annotations

import pytest

from tests.docker_support import require_docker

BACKENDS = ["process", "docker"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "docker":
        require_docker()
    return name
