"""Shared helpers for benchmark scripts: percentiles and one JSON object per result line."""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import sys
from collections.abc import Sequence
from typing import Any

from workbench.engine import percentile


def emit(name: str, samples: Sequence[float], unit: str = "ms", **extra: Any) -> None:
    record = {"name": name, **{k: v for k, v in extra.items() if k == "backend"}, "unit": unit,
              "p50": round(statistics.median(samples), 3), "p99": round(percentile(samples, 0.99), 3),
              "n": len(samples), **{k: v for k, v in extra.items() if k != "backend"}}
    print(json.dumps(record), flush=True)


def emit_value(name: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"name": name, "unit": unit, "value": round(value, 3), **extra}), flush=True)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(stat_path: str) -> float:
    """User + system CPU seconds of one process or thread, from its /proc stat file."""
    with open(stat_path, "rb") as stat:
        fields = stat.read().rpartition(b")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def descendants_cpu_seconds(root: int | None = None) -> float:
    """CPU seconds of every live process below ``root`` (this process by default): the runtimes, in a sandbox
    or not."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    parents[int(entry)] = int(stat.read().rpartition(b")")[2].split()[1])
            except OSError:
                continue
    mine: set[int] = set()
    frontier = [os.getpid() if root is None else root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        mine.update(children)
        frontier.extend(children)
    total = 0.0
    for pid in mine:
        with contextlib.suppress(OSError):
            total += cpu_seconds(f"/proc/{pid}/stat")
    return total
