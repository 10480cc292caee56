"""Control-plane changes are engine events saying what changed and who asked, so faces need not poll."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.helpers import EventLog, make_project
from workbench.engine import (
    CatalogueChanged,
    CatalogueResource,
    Change,
    Engine,
    LoadProgress,
    initiated_by,
    run_load,
)
from workbench.model.project import Project

APP = """
    import time
    def handler(event, context):
        time.sleep(event.get("sleep", 0))
        return {"ok": True}
"""


def _project(tmp_path: Path) -> Project:
    return make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                          "Timeout": 30}}, {"src/app.py": APP})


def _changes(log: EventLog) -> list[tuple[str, str, str, str | None, str]]:
    return [(e.resource.value, e.change.value, e.name, e.qualifier, e.initiator)
            for e in log.of(CatalogueChanged)]


async def test_the_template_gui_and_api_are_named_as_initiators(tmp_path: Path) -> None:
    log = EventLog()
    engine = Engine(_project(tmp_path))
    engine.subscribe(log)
    async with engine:
        assert ("function", "created", "Fn", None, "template") in _changes(log)
        log.events.clear()
        with initiated_by("gui"):
            version = await engine.publish_version("Fn")
            await engine.create_alias("Fn", "live", version.version)
        with initiated_by("api"):
            await engine.update_function_configuration("Fn", memory_size=256)
            await engine.update_alias("Fn", "live", description="moved")
            await engine.put_function_concurrency("Fn", 5)
            await engine.delete_alias("Fn", "live")
            await engine.delete_function("Fn")
    assert _changes(log) == [
        ("version", "created", "Fn", "1", "gui"),
        ("alias", "created", "Fn", "live", "gui"),
        ("function", "updated", "Fn", "$LATEST", "api"),
        ("alias", "updated", "Fn", "live", "api"),
        ("reserved-concurrency", "updated", "Fn", None, "api"),
        ("alias", "deleted", "Fn", "live", "api"),
        ("function", "deleted", "Fn", None, "api"),
    ]
    assert all(isinstance(e.resource, CatalogueResource) and isinstance(e.change, Change)
               for e in log.of(CatalogueChanged))


async def test_concurrent_initiators_do_not_leak_into_each_other(tmp_path: Path) -> None:
    log = EventLog()
    async with Engine(_project(tmp_path)) as engine:
        engine.subscribe(log)

        async def as_(who: str, alias: str) -> None:
            with initiated_by(who):  # type: ignore[arg-type]
                await asyncio.sleep(0)
                await engine.create_alias("Fn", alias, "$LATEST")

        await asyncio.gather(as_("gui", "a"), as_("api", "b"))
    assert sorted((e.qualifier, e.initiator) for e in log.of(CatalogueChanged)) == [("a", "gui"), ("b", "api")]


async def test_cancelling_a_load_cancels_and_counts_the_requests_in_flight(tmp_path: Path) -> None:
    progress: list[LoadProgress] = []
    async with Engine(_project(tmp_path)) as engine:
        started = asyncio.Event()

        def note(event: object) -> None:
            if type(event).__name__ == "InvocationStarted":
                started.set()

        engine.subscribe(note)
        load = asyncio.create_task(run_load(engine, "Fn", payload=b'{"sleep": 20}', rate=400, duration_s=0.01,
                                            on_progress=progress.append, progress_interval_s=60))
        await started.wait()
        load.cancel()
        try:
            await load
        except asyncio.CancelledError:
            pass
        assert engine.statistics().function("Fn").concurrent_executions == 0
    assert progress and progress[-1].cancelled == 4 and progress[-1].done == 0
