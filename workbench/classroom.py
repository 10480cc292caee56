"""Classroom settings: the engine knobs a teacher turns so a class can watch scaling and reaping happen.

One definition for every face: `workbench gui|serve` flags and the GUI's Engine settings panel both build
their EngineSettings here. "Slow motion" N makes what a class watches N times slower: new environments
come N times less often (the scaling window is N times longer) and idle environments are reaped and
recycled N times later.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from workbench.engine import EngineSettings


@dataclass(frozen=True, slots=True)
class ClassroomSettings:
    #: New environments per function per scaling window (AWS: 1,000 per 10 s).
    scaling_rate: int
    idle_timeout_s: float
    max_lifetime_s: float
    account_limit: int
    max_parallel_inits: int
    slow_motion: float = 1.0

    @classmethod
    def of(cls, settings: EngineSettings, slow_motion: float = 1.0) -> ClassroomSettings:
        """What ``settings`` (built with ``slow_motion``) were asked for."""
        return cls(settings.scaling_environments, settings.idle_timeout_s / slow_motion,
                   settings.max_lifetime_s / slow_motion, settings.account_concurrency,
                   settings.max_parallel_inits, slow_motion)

    def check(self) -> None:
        """Raise ValueError naming the first value out of range."""
        for name, value, minimum in (("scaling rate", self.scaling_rate, 1), ("idle timeout", self.idle_timeout_s, 0.1),
                                     ("maximum lifetime", self.max_lifetime_s, 1.0),
                                     ("account limit", self.account_limit, 1),
                                     ("maximum parallel inits", self.max_parallel_inits, 0),
                                     ("slow motion", self.slow_motion, 1.0)):
            if value < minimum:
                raise ValueError(f"the {name} must be at least {minimum:g} (got {value:g})")

    def apply(self, settings: EngineSettings) -> EngineSettings:
        self.check()
        return dataclasses.replace(
            settings, scaling_environments=self.scaling_rate,
            scaling_window_s=settings.scaling_window_s * self.slow_motion,
            idle_timeout_s=self.idle_timeout_s * self.slow_motion,
            max_lifetime_s=self.max_lifetime_s * self.slow_motion,
            account_concurrency=self.account_limit, max_parallel_inits=self.max_parallel_inits,
            unreserved_min=min(settings.unreserved_min, self.account_limit // 10))
