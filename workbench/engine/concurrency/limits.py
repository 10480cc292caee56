"""Lambda's concurrency rules (spec §4): the account limit, reserved concurrency carved out of it, the
unreserved minimum, provisioned concurrency counted as always in use, and the per-function scaling rate.

Concurrency is counted in environments serving requests: an on-demand request in flight uses one unit
(from the moment its cold start begins); an allocated provisioned environment uses one unit whether it
is busy or not, so requests it serves cost nothing extra.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from workbench.engine.core.clock import Clock
from workbench.engine.core.errors import InvalidParameterValueError
from workbench.engine.core.settings import EngineSettings

RESERVED_EXCEEDED = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_EXCEEDED = "ConcurrentInvocationLimitExceeded"
#: Spec §12.1: which reason a scaling-rate throttle carries is not documented; we use the account one.
SCALING_RATE_EXCEEDED = ACCOUNT_EXCEEDED


class ScalingBudget:
    """A token bucket: ``capacity`` new environments per ``window_s``, refilled continuously, never
    accumulating beyond one window's worth (spec §4, scaling rate)."""

    def __init__(self, capacity: int, window_s: float, now: float) -> None:
        self.capacity = capacity
        self._rate = capacity / window_s if window_s > 0 else float("inf")
        self._tokens = float(capacity)
        self._updated = now

    def available(self, now: float) -> float:
        self._tokens = min(float(self.capacity), self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        return self._tokens

    def take(self, now: float) -> bool:
        if self.available(now) >= 1.0:
            self._tokens -= 1.0
            return True
        return False


@dataclass(frozen=True, slots=True)
class AccountConcurrency:
    """GetAccountSettings' view: limit and what is left for functions without a reservation."""

    limit: int
    unreserved: int
    in_use: int


class ConcurrencyGovernor:
    def __init__(self, settings: EngineSettings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock
        self.account_limit = settings.account_concurrency
        self.reserved: dict[str, int] = {}
        self.in_use: dict[str, int] = defaultdict(int)
        self._unreserved_in_use = 0
        self._budgets: dict[str, ScalingBudget] = {}

    # -- configuration ----------------------------------------------------------------------------------
    @property
    def unreserved_capacity(self) -> int:
        return self.account_limit - sum(self.reserved.values())

    def check_reservation(self, function: str, value: int, provisioned_total: int = 0) -> None:
        """Raises InvalidParameterValueError when reserving ``value`` breaks a rule."""
        others = sum(v for name, v in self.reserved.items() if name != function)
        if self.account_limit - others - value < self._settings.unreserved_min:
            raise InvalidParameterValueError(
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{self._settings.unreserved_min}].",
                untyped=True)
        if value < provisioned_total:  # AWS's text, odd spacing included
            raise InvalidParameterValueError(
                f" ReservedConcurrentExecutions  {value} should not be lower than function's total provisioned "
                f"concurrency [{provisioned_total}].", untyped=True)

    def set_reserved(self, function: str, value: int | None) -> None:
        usage = self.in_use.get(function, 0)
        if function not in self.reserved:
            self._unreserved_in_use -= usage
        if value is None:
            self.reserved.pop(function, None)
        else:
            self.reserved[function] = value
        if function not in self.reserved:
            self._unreserved_in_use += usage

    def check_provisioned(self, function: str, new_total: int) -> None:
        """Provisioned concurrency must fit in the reservation, or leave the unreserved minimum free."""
        reserved = self.reserved.get(function)
        if reserved is not None:
            if new_total > reserved:
                raise InvalidParameterValueError(
                    "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution "
                    "for function")
            return
        others = self._unreserved_in_use - self.in_use.get(function, 0)
        if self.unreserved_capacity - new_total - others < self._settings.unreserved_min and new_total > 0:
            raise InvalidParameterValueError(
                "Requested Provisioned Concurrency exceeds the account's UnreservedConcurrentExecution minimum of "
                f"[{self._settings.unreserved_min}]")

    def capacity(self, function: str) -> int:
        """How many executions ``function`` may have at most: its reservation, or the unreserved pool."""
        return self.reserved.get(function, self.unreserved_capacity)

    # -- accounting -------------------------------------------------------------------------------------
    def _add(self, function: str, delta: int) -> None:
        self.in_use[function] += delta
        if function not in self.reserved:
            self._unreserved_in_use += delta

    def admit(self, function: str) -> str | None:
        """Count one more unit for ``function`` if the limits allow; otherwise return the throttle reason."""
        reserved = self.reserved.get(function)
        if reserved is not None:
            if self.in_use[function] >= reserved:
                return RESERVED_EXCEEDED
        elif self._unreserved_in_use >= self.unreserved_capacity:
            return ACCOUNT_EXCEEDED
        self._add(function, 1)
        return None

    def release(self, function: str) -> None:
        self._add(function, -1)

    def allocate(self, function: str) -> None:
        """Count a provisioned environment: checked against the limits when it was configured."""
        self._add(function, 1)

    def take_scaling_token(self, function: str) -> bool:
        now = self._clock.monotonic()
        budget = self._budgets.get(function)
        if budget is None:
            budget = ScalingBudget(self._settings.scaling_environments, self._settings.scaling_window_s, now)
            self._budgets[function] = budget
        return budget.take(now)

    def account(self) -> AccountConcurrency:
        return AccountConcurrency(self.account_limit, self.unreserved_capacity, sum(self.in_use.values()))
