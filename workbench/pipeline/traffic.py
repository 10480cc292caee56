"""The alias traffic of a deployment, read back from the Deploy stage's log: for each function, the share of
the alias on the new version at each step, on the deployment's own clock (the steps' hold times add up), so
the GUI can draw a canary or linear shift over time for a finished run and for one still running."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MOVING = re.compile(r"^(?P<name>[^:]+): moving alias (?P<alias>\S+) from version (?P<old>\S+) to (?P<new>\S+) "
                     r"\((?P<kind>[^)]+)\)$")
_STEP = re.compile(r"^(?P<name>[^:]+): (?P<percent>\d+)% of (?P<alias>\S+) on version (?P<new>\S+) for "
                   r"(?P<hold>[\d.e+-]+) s$")
_TRIPPED = re.compile(r"^(?P<name>[^:]+): alarm .* tripped")
_DONE = re.compile(r"^(?P<name>[^:]+): alias (?P<alias>\S+) on version (?P<new>\S+)$")


@dataclass(slots=True)
class Shift:
    """One function's alias moving to a new version: (time in s, share on the new version) points."""

    function: str
    alias: str
    old_version: str
    new_version: str
    kind: str
    points: list[tuple[float, float]] = field(default_factory=list)
    outcome: str = "shifting"     # shifting, complete, rolled back

    @property
    def duration_s(self) -> float:
        return self.points[-1][0] if self.points else 0.0


def shifts(log: str) -> list[Shift]:
    """Every alias shift the log tells of, in order; a step holds its share until the next point."""
    found: dict[str, Shift] = {}
    clocks: dict[str, float] = {}
    for line in log.splitlines():
        line = line.strip()
        if match := _MOVING.match(line):
            name = match["name"]
            found[name] = Shift(name, match["alias"], match["old"], match["new"], match["kind"], [(0.0, 0.0)])
            clocks[name] = 0.0
        elif (match := _STEP.match(line)) and match["name"] in found:
            shift, share = found[match["name"]], int(match["percent"]) / 100
            shift.points.append((clocks[shift.function], share))
            clocks[shift.function] += float(match["hold"])
            shift.points.append((clocks[shift.function], share))
        elif (match := _TRIPPED.match(line)) and match["name"] in found:
            shift = found[match["name"]]
            shift.points.append((clocks[shift.function], 0.0))
            shift.outcome = "rolled back"
        elif (match := _DONE.match(line)) and match["name"] in found and found[match["name"]].outcome == "shifting":
            shift = found[match["name"]]
            shift.points.append((clocks[shift.function], 1.0))
            shift.outcome = "complete"
    return list(found.values())
