"""The behaviour suite runs once per backend, so every backend is held to the same standard."""

from __future__ import annotations

import pytest

BACKENDS = ["process"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name
