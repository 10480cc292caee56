"""Shared helpers for benchmark scripts: percentiles and one JSON object per result line."""

from __future__ import annotations

import json
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
