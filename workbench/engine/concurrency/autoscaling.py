"""Target-tracking autoscaling of provisioned concurrency (Application Auto Scaling's
`LambdaProvisionedConcurrencyUtilization` policy), running on the engine's clock.

Every second the autoscaler samples utilisation (busy provisioned environments / allocated ones); at the
end of each evaluation period it computes the capacity that would bring the average back to the target,
clamps it to [min, max], and applies it unless the matching cooldown has not passed yet.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from workbench.engine.core.clock import Clock
from workbench.engine.core.errors import InvalidParameterValueError


@dataclass(frozen=True, slots=True)
class AutoscalingPolicy:
    target_utilisation: float          # 0 < target <= 1, e.g. 0.7
    min_capacity: int
    max_capacity: int
    scale_out_cooldown_s: float = 60.0
    scale_in_cooldown_s: float = 300.0
    #: AWS evaluates one-minute metrics; a classroom may want it faster.
    evaluation_period_s: float = 60.0
    sample_interval_s: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 < self.target_utilisation <= 1.0:
            raise InvalidParameterValueError("TargetValue must be between 0.1 and 0.9 (as a fraction of 1)")
        if not 0 <= self.min_capacity <= self.max_capacity:
            raise InvalidParameterValueError("MinCapacity must be between 0 and MaxCapacity")


def desired_capacity(policy: AutoscalingPolicy, current: int, utilisation: float) -> int:
    """The capacity that brings ``utilisation`` (of ``current`` environments) back to the target."""
    wanted = math.ceil(current * utilisation / policy.target_utilisation) if current else policy.min_capacity
    return max(policy.min_capacity, min(policy.max_capacity, wanted))


class ProvisionedAutoscaler:
    def __init__(self, clock: Clock, policy: AutoscalingPolicy, sample: Callable[[], tuple[int, int]],
                 apply: Callable[[int], None]) -> None:
        self._clock = clock
        self.policy = policy
        self._sample = sample
        self._apply = apply
        self._last_scale_out = -math.inf
        self._last_scale_in = -math.inf
        self.decisions: list[tuple[float, int, int]] = []   # (time, from, to), for statistics and tests

    def evaluate(self, utilisation: float, current: int) -> int | None:
        """Decide at the end of a period; returns the new capacity or None."""
        now = self._clock.monotonic()
        desired = desired_capacity(self.policy, current, utilisation)
        if desired > current and now - self._last_scale_out >= self.policy.scale_out_cooldown_s:
            self._last_scale_out = now
        elif desired < current and now - self._last_scale_in >= self.policy.scale_in_cooldown_s:
            self._last_scale_in = now
        else:
            return None
        self.decisions.append((now, current, desired))
        return desired

    async def run(self) -> None:
        samples: list[float] = []
        elapsed = 0.0
        while True:
            await self._clock.sleep(self.policy.sample_interval_s)
            busy, allocated = self._sample()
            samples.append(busy / allocated if allocated else 0.0)
            elapsed += self.policy.sample_interval_s
            if elapsed + 1e-9 < self.policy.evaluation_period_s:
                continue
            average = sum(samples) / len(samples)
            samples.clear()
            elapsed = 0.0
            decision = self.evaluate(average, allocated)
            if decision is not None:
                self._apply(decision)
