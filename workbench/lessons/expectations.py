"""The check of what a lesson step expects. Counts are about the step's function since the lesson started (the
engine's statistics), or about what the lesson itself did (the results of the step's invocations, the
asynchronous events it queued, the batches delivered while it played), so a lesson plays the same on a fresh
project and on one used before."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from workbench.engine import Engine
from workbench.lessons import services
from workbench.lessons.actions import LessonState, endpoint
from workbench.lessons.pipeline import completed_canaries

#: How long an expectation may take to become true (the engine reports asynchronously).
EXPECT_TIMEOUT_S = 30.0
#: Expectations met when what is seen is at least (or at most) the number; the others must be equal.
AT_LEAST = ("throttles", "environments_at_least", "frozen_at_least", "spillovers_at_least", "batches_at_least",
            "failed_items_at_least", "canaries_completed")
AT_MOST = ("environments_at_most",)


def _environment_ids(state: LessonState) -> set[str]:
    found = set()
    for result in state.results:
        try:
            document = json.loads(result.payload)
        except ValueError:
            continue
        if isinstance(document, dict) and "environment" in document:
            found.add(str(document["environment"]))
    return found


async def observe(engine: Engine, function: str, expect: dict[str, Any], state: LessonState) -> dict[str, Any]:
    """What is seen now, for the keys ``expect`` names."""
    statistics = engine.statistics()
    state.remember(statistics)
    entry, start = statistics.function(function), state.baseline[function]
    seen: dict[str, Any] = {
        "invocations": entry.invocations - start.invocations, "errors": entry.errors - start.errors,
        "throttles": entry.throttles - start.throttles, "cold_starts": entry.cold_starts - start.cold_starts,
        "environments_at_least": len(entry.environments), "environments_at_most": len(entry.environments),
        "frozen_at_least": entry.count("frozen"), "spillovers_at_least": entry.spillovers - start.spillovers,
        "async_succeeded": entry.asynchronous.succeeded - start.asynchronous.succeeded,
        "async_failed": entry.asynchronous.failed - start.asynchronous.failed,
        "batches_at_least": len(state.batches), "failed_items_at_least": sum(b.failed for b in state.batches),
        "batch_sizes": sorted({b.size for b in state.batches}, reverse=True),
        "records_discarded": state.discarded_records,
        "environments_used": len(_environment_ids(state)),
        "versions_seen": len({result.executed_version for result in state.results}),
    }
    seen["warm_starts"] = seen["invocations"] - seen["cold_starts"]
    if "async_attempts" in expect:
        mine = set(state.async_ids)
        events = await engine.async_events(function, limit=500)
        seen["async_attempts"] = sum(event.attempts for event in events if event.request_id in mine)
    if "pipeline_runs_succeeded" in expect or "canaries_completed" in expect:
        running = state.pipeline
        if running is None:
            seen["pipeline_runs_succeeded"] = seen["canaries_completed"] = 0
        else:
            seen["pipeline_runs_succeeded"] = await asyncio.to_thread(running.succeeded)
            seen["canaries_completed"] = await asyncio.to_thread(completed_canaries, running.state_dir)
            if failed := await asyncio.to_thread(running.failed):
                seen["pipeline_runs_failed"] = failed
    if "queue_messages" in expect:
        where = await endpoint(engine)
        seen["queue_messages"] = {name: await asyncio.to_thread(services.messages, where, name)
                                  for name in expect["queue_messages"]}
    return seen


async def check(engine: Engine, function: str, expect: dict[str, Any], state: LessonState) -> list[str]:
    """What is not (yet) as the step expects; empty when everything is."""
    if not expect:
        return []
    seen = await observe(engine, function, expect, state)
    problems = []
    for key, wanted in expect.items():
        got = seen[key]
        if key in AT_LEAST:
            wrong = got < wanted
        elif key in AT_MOST:
            wrong = got > wanted
        elif key == "batch_sizes":   # these sizes were all delivered (bisect: 4, then 2, then 1)
            wrong = not set(wanted) <= set(got)
        else:
            wrong = got != wanted
        if wrong:
            problems.append(f"{key}: expected {wanted}, saw {got}")
    return problems


async def wait_expected(engine: Engine, function: str, expect: dict[str, Any], state: LessonState,
                        timeout_s: float = EXPECT_TIMEOUT_S) -> list[str]:
    """Wait (checking every 100 ms) until the expectation holds; returns what still fails at the timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        problems = await check(engine, function, expect, state)
        if not problems or loop.time() > deadline:
            return problems
        await asyncio.sleep(0.1)
