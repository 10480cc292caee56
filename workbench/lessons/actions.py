"""What a lesson step does to the engine, and the check of what it expects afterwards. Counts in expectations
are about the step's function since the lesson started (the engine's statistics, and its traces for warm and
cold starts), so a lesson plays the same on a fresh project and on one used before."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from workbench.engine import Engine, EngineStatistics, run_load

#: How long an expectation may take to become true (the engine reports asynchronously).
EXPECT_TIMEOUT_S = 20.0


@dataclass(slots=True)
class LessonState:
    """What the lesson has seen: counters at its start, and the request ids of its invocations."""

    baseline: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    request_ids: list[str] = field(default_factory=list)
    environments: list[str] = field(default_factory=list)

    def remember(self, statistics: EngineStatistics) -> None:
        for function in statistics.functions:
            self.baseline.setdefault(function.name, (function.invocations, function.errors, function.throttles,
                                                     function.cold_starts))


def _payload(action: dict[str, Any]) -> bytes:
    return json.dumps(action.get("payload", {})).encode()


async def perform(engine: Engine, action: dict[str, Any], state: LessonState) -> None:
    state.remember(engine.statistics())
    kind = action.get("do")
    function = str(action.get("function", ""))
    if kind == "invoke":
        for _ in range(int(action.get("count", 1))):
            result = await engine.invoke(function, _payload(action))
            state.request_ids.append(result.request_id)
    elif kind == "load":
        await run_load(engine, function, payload=_payload(action), requests=int(action.get("requests", 20)),
                       concurrency=int(action.get("concurrency", 5)))
    elif kind == "reserve":
        await engine.put_function_concurrency(function, int(action["value"]))
    elif kind == "unreserve":
        await engine.delete_function_concurrency(function)
    elif kind == "stop":
        await engine.stop_environments(function or None)
    elif kind == "wait":
        await asyncio.sleep(float(action.get("seconds", 1)))   # a pause the class can watch, by design


def check(engine: Engine, function: str, expect: dict[str, Any], state: LessonState) -> list[str]:
    """What is not (yet) as the step expects; empty when everything is."""
    if not expect:
        return []
    statistics = engine.statistics()
    state.remember(statistics)
    entry = statistics.function(function)
    invocations0, errors0, throttles0, cold0 = state.baseline[function]
    seen = {"invocations": entry.invocations - invocations0, "errors": entry.errors - errors0,
            "throttles": entry.throttles - throttles0, "cold_starts": entry.cold_starts - cold0}
    seen["warm_starts"] = seen["invocations"] - seen["cold_starts"]
    seen["environments_at_least"] = len(entry.environments)
    problems = []
    for key, wanted in expect.items():
        got = seen[key]
        if (got < wanted) if key in ("environments_at_least", "throttles") else (got != wanted):
            problems.append(f"{key}: expected {wanted}, saw {got}")
    return problems


async def wait_expected(engine: Engine, function: str, expect: dict[str, Any], state: LessonState,
                        timeout_s: float = EXPECT_TIMEOUT_S) -> list[str]:
    """Wait (checking every 50 ms) until the expectation holds; returns what still fails at the timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        problems = check(engine, function, expect, state)
        if not problems or loop.time() > deadline:
            return problems
        await asyncio.sleep(0.05)
