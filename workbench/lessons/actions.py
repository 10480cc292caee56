"""What a lesson step does to the engine (and to the local services). The expectations that follow are checked
in `expectations.py` against what the lesson saw, so a lesson plays the same on a fresh project and on one used
before: counts are since the lesson started, queues are emptied when a lesson creates them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.engine import (
    Engine,
    EngineEvent,
    EngineStatistics,
    FunctionStatistics,
    InvokeResult,
    MappingBatchProcessed,
    MappingOptions,
    MappingRecordsDiscarded,
    run_load,
)
from workbench.lessons import pipeline, services
from workbench.model.project import STATE_DIR_NAME
from workbench.services.browser import Endpoint


@dataclass(slots=True)
class LessonState:
    """What the lesson has seen: each function's counters at its start, the results of the current step's
    invocations, the asynchronous events it queued, the versions it published, the batches delivered."""

    baseline: dict[str, FunctionStatistics] = field(default_factory=dict)
    results: list[InvokeResult] = field(default_factory=list)
    async_ids: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    mappings: dict[str, str] = field(default_factory=dict)        # source name -> mapping UUID
    batches: list[MappingBatchProcessed] = field(default_factory=list)
    discarded_records: int = 0
    engine: Engine | None = None
    #: How the lesson switches the window to another project (the player's; None: it cannot).
    open_project: Callable[[Path], Awaitable[Engine]] | None = None
    #: The application project a lesson made, and its pipeline while the lesson plays.
    project: Path | None = None
    pipeline: pipeline.LessonPipeline | None = None

    async def close(self) -> None:
        """What the lesson started and must stop (the pipeline's API and worker)."""
        running, self.pipeline = self.pipeline, None
        if running is not None:
            await running.close()

    def remember(self, statistics: EngineStatistics) -> None:
        for function in statistics.functions:
            self.baseline.setdefault(function.name, function)

    def attach(self, engine: Engine) -> None:
        """Follow ``engine``'s batches (once per engine: a lesson's settings may have restarted it)."""
        if self.engine is not engine:
            self.engine = engine
            engine.subscribe(self._on_event)

    def _on_event(self, event: EngineEvent) -> None:
        if isinstance(event, MappingBatchProcessed):
            self.batches.append(event)
        elif isinstance(event, MappingRecordsDiscarded):
            self.discarded_records += event.count


def _payload(action: dict[str, Any]) -> bytes:
    return json.dumps(action.get("payload", {})).encode()


async def endpoint(engine: Engine) -> Endpoint:
    return Endpoint(await engine.services.ensure_started(), engine.settings.region)


def _version(reference: Any, state: LessonState) -> str:
    """"$1" is the first version this lesson published, "$2" the second; anything else is taken as it is."""
    text = str(reference)
    if text.startswith("$") and text[1:].isdigit():
        return state.versions[int(text[1:]) - 1]
    return text


async def perform(engine: Engine, action: dict[str, Any], state: LessonState) -> None:
    state.attach(engine)
    state.remember(engine.statistics())
    state.results = []
    kind = action.get("do")
    function = str(action.get("function", ""))
    qualifier = _version(action["qualifier"], state) if action.get("qualifier") else None
    if kind == "invoke":
        for _ in range(int(action.get("count", 1))):
            state.results.append(await engine.invoke(function, _payload(action), qualifier=qualifier))
    elif kind == "invoke_async":
        for _ in range(int(action.get("count", 1))):
            state.async_ids.append(await engine.invoke_async(function, _payload(action), qualifier=qualifier))
    elif kind == "load":
        await run_load(engine, function, payload=_payload(action), requests=int(action.get("requests", 20)),
                       concurrency=int(action.get("concurrency", 5)), qualifier=qualifier)
    elif kind == "reserve":
        await engine.put_function_concurrency(function, int(action["value"]))
    elif kind == "unreserve":
        await engine.delete_function_concurrency(function)
    elif kind == "stop":
        await engine.stop_environments(function or None)
    elif kind == "wait":
        await asyncio.sleep(float(action.get("seconds", 1)))   # a pause the class can watch, by design
    elif kind in ("publish", "alias", "provision", "unprovision", "configure"):
        await _catalogue(engine, kind, function, qualifier, action, state)
    elif kind in ("app_project", "push"):
        await _pipeline(kind, action, state)
    else:
        await _delivery(engine, str(kind), function, action, state)


async def _catalogue(engine: Engine, kind: str, function: str, qualifier: str | None, action: dict[str, Any],
                     state: LessonState) -> None:
    if kind == "publish":
        state.versions.append((await engine.publish_version(function, str(action.get("description", "")))).version)
    elif kind == "alias":
        name, version = str(action["name"]), _version(action["version"], state)
        weights = {_version(key, state): float(value) for key, value in (action.get("weights") or {}).items()}
        if name in engine.function_entry(function).aliases:
            await engine.update_alias(function, name, function_version=version, additional_weights=weights)
        else:
            await engine.create_alias(function, name, version, "", weights)
    elif kind == "provision":
        await engine.put_provisioned_concurrency(function, str(qualifier), int(action["value"]))
        await engine.wait_provisioned_ready(function)
    elif kind == "unprovision":
        await engine.delete_provisioned_concurrency(function, str(qualifier))
    elif kind == "configure":
        await engine.update_function_configuration(function, environment=dict(action.get("environment") or {}))


async def _pipeline(kind: str, action: dict[str, Any], state: LessonState) -> None:
    """An application project in the window, and pushes to it that its pipeline builds and deploys."""
    if kind == "app_project":
        if state.open_project is None:
            raise RuntimeError("this lesson switches projects: play it in the window")
        await state.close()
        project = await asyncio.to_thread(pipeline.make_app_project, str(action["template"]))
        engine = await state.open_project(project)
        state.project, state.baseline = project, {}
        state.attach(engine)
        state.pipeline = pipeline.LessonPipeline(engine, project / STATE_DIR_NAME)
        await state.pipeline.start()
    elif state.project is None:
        raise RuntimeError("push: no application project yet (an app_project step comes first)")
    else:
        old, new = (str(text) for text in action["replace"])
        await asyncio.to_thread(pipeline.push_change, state.project, str(action["file"]), old, new,
                                str(action.get("message", "a change")))


async def _delivery(engine: Engine, kind: str, function: str, action: dict[str, Any], state: LessonState) -> None:
    """Queues, streams, mappings and the asynchronous configuration."""
    where = await endpoint(engine)
    if kind == "create_queue":
        await asyncio.to_thread(services.create_queue, where, str(action["name"]), action.get("dead_letter"),
                                int(action.get("max_receives", 2)))
    elif kind == "create_stream":
        await asyncio.to_thread(services.create_stream, where, str(action["name"]))
    elif kind == "send":
        await asyncio.to_thread(services.send, where, str(action["queue"]), list(action.get("bodies", [])))
    elif kind == "put_records":
        await asyncio.to_thread(services.put_records, where, str(action["stream"]), list(action.get("records", [])))
    elif kind == "map":
        await _map(engine, where, function, action, state)
    elif kind == "unmap":
        uuid = state.mappings.pop(str(action["source"]), None)
        if uuid is not None:
            await engine.delete_event_source_mapping(uuid)
    elif kind == "configure_async":
        await _configure_async(engine, where, function, action)


async def _map(engine: Engine, where: Endpoint, function: str, action: dict[str, Any], state: LessonState) -> None:
    source = str(action["source"])   # "queue:NAME" or "stream:NAME"
    kind, _, name = source.partition(":")
    if kind == "queue":
        arn = await asyncio.to_thread(services.queue_arn, where, name)
    else:
        arn = await asyncio.to_thread(services.stream_arn, where, name)
    options = MappingOptions(
        batch_size=action.get("batch_size"), maximum_batching_window_s=action.get("window"),
        starting_position="TRIM_HORIZON" if kind == "stream" else None,
        maximum_retry_attempts=action.get("maximum_retry_attempts"),
        bisect_batch_on_function_error=action.get("bisect"),
        function_response_types=("ReportBatchItemFailures",) if action.get("report_failures") else None)
    created = await engine.create_event_source_mapping(function, arn, options)
    state.mappings[source] = created.config.uuid


async def _configure_async(engine: Engine, where: Endpoint, function: str, action: dict[str, Any]) -> None:
    """Retries, maximum age and destinations (queue names), and the dead-letter queue; ``clear`` removes them."""
    if action.get("clear"):
        if engine.list_function_event_invoke_configs(function):
            await engine.delete_function_event_invoke_config(function)
        await engine.update_function_configuration(function, dead_letter_target=None)
        return

    async def arn(key: str) -> str | None:
        name = action.get(key)
        return await asyncio.to_thread(services.queue_arn, where, str(name)) if name else None

    await engine.put_function_event_invoke_config(
        function, maximum_retry_attempts=action.get("retries"), maximum_event_age_s=action.get("max_age_s"),
        on_success=await arn("on_success"), on_failure=await arn("on_failure"))
    await engine.update_function_configuration(function, dead_letter_target=await arn("dead_letter"))
