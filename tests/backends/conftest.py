"""Fixtures of the Docker backend's tests: a module that needs Docker marks itself with
`pytest.mark.usefixtures("docker_available")`; `api` is a connection to the Docker engine, closed after the test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.docker_support import require_docker


@pytest.fixture
def docker_available() -> None:
    """Skips the test where Docker is unusable (fails it where Docker is required: CI, WORKBENCH_REQUIRE_DOCKER)."""
    require_docker()


@pytest.fixture
async def api(docker_available: None) -> AsyncIterator[Any]:
    from workbench.backends.docker_api import DockerApi

    connection = await DockerApi.connect()
    yield connection
    await connection.close()
