"""Whether the Docker tests can run here, decided once per test session.

In CI (CI=true) or with WORKBENCH_REQUIRE_DOCKER=1 an unusable Docker is a failure: a green run must mean
the Docker backend was exercised. Elsewhere the Docker tests skip and say how to enable them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import os

import pytest

HOW_TO_ENABLE = ("to run them: install Docker (Debian: `apt-get install docker.io`), start it (`dockerd "
                 "--bridge=none --iptables=false`), build the runtime images (`workbench images build`, once); "
                 "set WORKBENCH_REQUIRE_DOCKER=1 to make this a failure instead of a skip")


def docker_required() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes") or os.environ.get("WORKBENCH_REQUIRE_DOCKER") == "1"


async def _problem() -> str | None:
    try:
        from workbench.backends.docker_api import DockerApi
        from workbench.backends.images import RECIPES, RuntimeImages
    except ImportError as exc:
        return f"the docker SDK is not installed ({exc})"
    from workbench.backends.base import BackendError

    try:
        api = await DockerApi.connect()
    except BackendError as exc:
        return str(exc)
    try:
        store = RuntimeImages(api)
        missing = [kind for kind in RECIPES if await store.find(kind) is None]
    except BackendError as exc:
        return str(exc)
    finally:
        await api.close()
    if missing:
        return f"no runtime image for {', '.join(missing)} yet"
    return None


@functools.cache
def docker_problem() -> str | None:
    """Why the Docker backend cannot be tested here, or None when it can. Checked on a thread of its own,
    so that it works from inside a running test's event loop too."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(_problem())).result()


def require_docker() -> None:
    problem = docker_problem()
    if problem is None:
        return
    if docker_required():
        pytest.fail(f"Docker tests are required here but Docker is unusable: {problem}", pytrace=False)
    pytest.skip(f"Docker tests skipped: {problem}; {HOW_TO_ENABLE}")
