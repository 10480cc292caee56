"""Concurrency rules as pure logic, in virtual time: scaling budget, governor, autoscaling decisions."""

from __future__ import annotations

import pytest

from workbench.engine.concurrency.autoscaling import AutoscalingPolicy, ProvisionedAutoscaler, desired_capacity
from workbench.engine.concurrency.limits import (
    ACCOUNT_EXCEEDED,
    RESERVED_EXCEEDED,
    ConcurrencyGovernor,
    ScalingBudget,
)
from workbench.engine.core.clock import FakeClock
from workbench.engine.core.errors import InvalidParameterValueError
from workbench.engine.core.settings import EngineSettings


def test_scaling_budget_refills_continuously_and_does_not_accumulate() -> None:
    budget = ScalingBudget(capacity=1000, window_s=10.0, now=0.0)
    assert sum(budget.take(0.0) for _ in range(1200)) == 1000
    assert not budget.take(0.0)
    assert sum(budget.take(1.0) for _ in range(200)) == 100    # 1,000 per 10 s is 100 per second
    assert sum(budget.take(1000.0) for _ in range(2000)) == 1000  # idle time does not bank more than a window


def test_reserved_concurrency_caps_and_zero_throttles_everything() -> None:
    governor = ConcurrencyGovernor(EngineSettings(), FakeClock())
    governor.set_reserved("capped", 2)
    governor.set_reserved("off", 0)
    assert [governor.admit("capped") for _ in range(3)] == [None, None, RESERVED_EXCEEDED]
    assert governor.admit("off") == RESERVED_EXCEEDED
    governor.release("capped")
    assert governor.admit("capped") is None


def test_account_limit_is_shared_by_unreserved_functions() -> None:
    governor = ConcurrencyGovernor(EngineSettings(account_concurrency=120, unreserved_min=100), FakeClock())
    governor.set_reserved("reserved", 20)
    admitted = [governor.admit("a" if i % 2 else "b") for i in range(101)]
    assert admitted.count(None) == 100 and admitted[-1] == ACCOUNT_EXCEEDED
    assert all(governor.admit("reserved") is None for _ in range(20))  # carved out of the account pool
    assert governor.account().unreserved == 100


def test_reservations_must_leave_the_unreserved_minimum() -> None:
    governor = ConcurrencyGovernor(EngineSettings(), FakeClock())
    governor.check_reservation("f", 900)
    with pytest.raises(InvalidParameterValueError, match=r"below its minimum value of \[100\]"):
        governor.check_reservation("f", 901)
    governor.set_reserved("f", 900)
    with pytest.raises(InvalidParameterValueError):
        governor.check_reservation("g", 1)
    with pytest.raises(InvalidParameterValueError, match="provisioned concurrency"):
        governor.check_reservation("f", 5, provisioned_total=10)


def test_provisioned_must_fit_the_reservation() -> None:
    governor = ConcurrencyGovernor(EngineSettings(), FakeClock())
    governor.set_reserved("f", 10)
    governor.check_provisioned("f", 10)
    with pytest.raises(InvalidParameterValueError, match="should not be greater than the reservedConcurrent"):
        governor.check_provisioned("f", 11)


def test_provisioned_units_count_as_in_use() -> None:
    governor = ConcurrencyGovernor(EngineSettings(), FakeClock())
    governor.set_reserved("f", 3)
    for _ in range(3):
        governor.allocate("f")
    assert governor.admit("f") == RESERVED_EXCEEDED   # PC == reserved: on-demand ($LATEST) is throttled


def test_desired_capacity_tracks_the_target() -> None:
    policy = AutoscalingPolicy(target_utilisation=0.5, min_capacity=1, max_capacity=10)
    assert desired_capacity(policy, 2, 1.0) == 4
    assert desired_capacity(policy, 4, 0.1) == 1
    assert desired_capacity(policy, 8, 1.0) == 10
    assert desired_capacity(policy, 4, 0.5) == 4


async def test_autoscaler_respects_cooldowns_in_virtual_time() -> None:
    clock = FakeClock()
    policy = AutoscalingPolicy(0.5, 1, 10, scale_out_cooldown_s=60, scale_in_cooldown_s=300, evaluation_period_s=10)
    scaler = ProvisionedAutoscaler(clock, policy, lambda: (0, 0), lambda capacity: None)
    assert scaler.evaluate(1.0, 2) == 4
    await clock.advance(30)
    assert scaler.evaluate(1.0, 4) is None          # scale-out cooldown
    await clock.advance(31)
    assert scaler.evaluate(1.0, 4) == 8
    assert scaler.evaluate(0.0, 8) == 1             # scale-in has its own cooldown, not yet used
    await clock.advance(100)
    assert scaler.evaluate(0.0, 4) is None
    await clock.advance(200)
    assert scaler.evaluate(0.0, 4) == 1


async def test_autoscaler_samples_and_applies_on_the_engine_clock() -> None:
    clock = FakeClock()
    applied: list[int] = []
    state = {"busy": 2, "allocated": 2}
    policy = AutoscalingPolicy(0.5, 1, 6, scale_out_cooldown_s=0, scale_in_cooldown_s=0, evaluation_period_s=5)
    scaler = ProvisionedAutoscaler(clock, policy, lambda: (state["busy"], state["allocated"]), applied.append)
    import asyncio

    task = asyncio.create_task(scaler.run())
    await clock.advance(5)
    assert applied == [4]
    state.update(busy=0, allocated=4)
    await clock.advance(5)
    assert applied == [4, 1]
    task.cancel()
