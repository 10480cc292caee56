"""SnapStart with real runtimes and AWS's unmodified `snapshot-restore-py` hooks: on the process backend in and
out of the bubblewrap sandbox, and on the Docker backend (forks inside the version's container)."""

from __future__ import annotations

import asyncio
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.docker_support import require_docker
from tests.helpers import make_project
from workbench.engine import Engine, EngineSettings, ResourceConflictError
from workbench.model.project import Project

APP = """
    import os, random, time
    from snapshot_restore_py import register_after_restore, register_before_snapshot

    MARKER = os.environ["MARKER"]
    with open(MARKER, "a") as f:
        f.write("init\\n")
    ORDER = []
    RNG = random.Random(42)        # the same in every restored environment unless a hook reseeds it

    def first_before(): ORDER.append("before-1")
    def second_before(): ORDER.append("before-2")
    register_before_snapshot(first_before)
    register_before_snapshot(second_before)

    @register_after_restore
    def reseed():
        ORDER.append("after-1")
        RNG.seed(os.urandom(16))

    @register_after_restore
    def second_after():
        ORDER.append("after-2")

    def handler(event, context):
        with open(MARKER) as f:
            inits = f.read().count("init")
        return {"order": ORDER, "pid": os.getpid(), "random": RNG.random(), "inits": inits,
                "init_type": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE")}
"""

FAILING = """
    from snapshot_restore_py import register_before_snapshot

    @register_before_snapshot
    def broken():
        raise ValueError("no snapshot today")

    def handler(event, context):
        return "unreachable"
"""


@pytest.fixture(params=["unsandboxed", "sandbox", "docker"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The process backend without and in its sandbox (where the machine has one), and the Docker backend."""
    name = str(request.param)
    if name == "docker":
        require_docker()
        monkeypatch.setenv("WORKBENCH_DOCKER_POOL", "0")   # the pool is for on-demand cold starts, not restores
        return "docker"
    monkeypatch.setenv("WORKBENCH_SANDBOX", "off" if name == "unsandboxed" else "auto")
    return "process"


@pytest.fixture
def isolated(backend: str) -> bool:
    """Whether the runtime's /tmp is its own (a sandbox's or a container's) rather than the host's."""
    return backend == "docker" or os.environ.get("WORKBENCH_SANDBOX") != "off"


def _project(tmp_path: Path, code: str, marker: Path) -> Project:
    props: dict[str, Any] = {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.12",
                             "SnapStart": {"ApplyOn": "PublishedVersions"},
                             "Environment": {"Variables": {"MARKER": str(marker)}}}
    return make_project(tmp_path / "project", {"Fn": props}, {"src/app.py": textwrap.dedent(code)})


async def test_init_once_per_version_hooks_in_order_distinct_random(tmp_path: Path, backend: str,
                                                                    isolated: bool) -> None:
    # Init counts itself in a marker file; in a sandbox or container the host's folders are read-only, so it
    # writes to the runtime's own /tmp there, which restored environments share with their snapshot.
    marker = Path("/tmp/snapstart-marker") if isolated else tmp_path / "init-marker"
    async with Engine(_project(tmp_path, APP, marker), backend=backend,
                      settings=EngineSettings(idle_timeout_s=60)) as engine:
        published = await engine.publish_version("Fn")
        results = await asyncio.gather(*(engine.invoke("Fn", b'{"hold": 0}', qualifier=published.version)
                                         for _ in range(3)))
        # $LATEST is never snapshotted: it runs init as an on-demand environment does.
        latest = await engine.invoke("Fn")
        logs = [line.message for line in await engine.logs("Fn")]
        traces = await engine.traces("Fn")
    documents = [result.json() for result in results]
    assert all(r.function_error is None for r in results), documents
    assert all(d["order"] == ["before-2", "before-1", "after-1", "after-2"] for d in documents), documents
    assert all(d["init_type"] == "snap-start" for d in documents)
    assert all(d["inits"] == 1 for d in documents), documents   # init ran once, in the snapshot
    assert len({d["pid"] for d in documents}) == 3
    assert len({d["random"] for d in documents}) == 3      # the after-restore hook reseeded each one
    assert latest.json()["init_type"] == "on-demand" and latest.json()["order"] == []
    restore_starts = [m for m in logs if m.startswith("RESTORE_START")]
    restore_reports = [m for m in logs if m.startswith("RESTORE_REPORT Restore Duration: ")]
    assert len(restore_starts) == len(restore_reports) == 3
    reports = [m for m in logs if m.startswith("REPORT") and "Restore Duration: " in m]
    assert len(reports) == 3 and all("Billed Restore Duration: " in m and "Init Duration" not in m for m in reports)
    init_starts = [m for m in logs if m.startswith("INIT_START")]
    assert len(init_starts) == 2   # the version's snapshot, and $LATEST's environment
    restored_traces = [t for t in traces if t.version == published.version]
    assert len(restored_traces) == 3 and all(t.restore is not None and t.initialization is None
                                             for t in restored_traces)
    if not isolated:
        assert marker.read_text().count("init") == 2   # once for the version, once for $LATEST


async def test_a_failing_before_snapshot_hook_fails_the_version(tmp_path: Path, backend: str) -> None:
    async with Engine(_project(tmp_path, FAILING, tmp_path / "m"), backend=backend) as engine:
        published = await engine.publish_version("Fn")
        failure = engine.snapshot_failure(published)
        with pytest.raises(ResourceConflictError, match="Failed"):
            await engine.invoke("Fn", qualifier=published.version)
        logs = [line.message for line in await engine.logs("Fn")]
    assert failure == "ValueError: no snapshot today"
    assert any(m.startswith("INIT_REPORT") and "Status: error" in m and "ValueError" in m for m in logs)
    assert any("[ERROR] ValueError: no snapshot today" in m for m in logs)
