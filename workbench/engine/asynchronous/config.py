"""`FunctionEventInvokeConfig`: retries, maximum age and destinations, per function, version or alias.

The unqualified configuration is $LATEST's, as on AWS. Which configuration an event follows is an emulator
choice AWS leaves open: the one of the qualifier it was invoked with, else the function's (unqualified) one,
else the defaults — so a version or alias configuration wins over the function's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from workbench.engine.asynchronous.retry import (
    DEFAULT_MAXIMUM_EVENT_AGE_S,
    DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
    EVENT_AGE_RANGE,
    RETRY_ATTEMPTS_RANGE,
    RetryPolicy,
)
from workbench.engine.core.errors import InvalidParameterValueError
from workbench.model.arn import LATEST

#: Sentinel for "leave this member as it is" in an update.
KEEP: Any = object()


@dataclass(frozen=True, slots=True)
class EventInvokeConfig:
    function: str
    qualifier: str                       # "$LATEST" for the unqualified function
    maximum_retry_attempts: int | None = None
    maximum_event_age_s: int | None = None
    on_success: str | None = None
    on_failure: str | None = None
    last_modified: float = 0.0

    def policy(self, scale: float) -> RetryPolicy:
        retries = DEFAULT_MAXIMUM_RETRY_ATTEMPTS if self.maximum_retry_attempts is None \
            else self.maximum_retry_attempts
        age = DEFAULT_MAXIMUM_EVENT_AGE_S if self.maximum_event_age_s is None else self.maximum_event_age_s
        return RetryPolicy(retries, age, scale)

    def merged(self, **changes: Any) -> EventInvokeConfig:
        """An update (UpdateFunctionEventInvokeConfig): members given replace, members left out stay."""
        return replace(self, **{name: value for name, value in changes.items() if value is not KEEP})

    def to_document(self) -> dict[str, Any]:
        return {"MaximumRetryAttempts": self.maximum_retry_attempts,
                "MaximumEventAgeInSeconds": self.maximum_event_age_s,
                "OnSuccess": self.on_success, "OnFailure": self.on_failure}

    @classmethod
    def from_document(cls, function: str, qualifier: str, document: dict[str, Any],
                      last_modified: float) -> EventInvokeConfig:
        return cls(function, qualifier, document.get("MaximumRetryAttempts"),
                   document.get("MaximumEventAgeInSeconds"), document.get("OnSuccess"), document.get("OnFailure"),
                   last_modified)


DEFAULT_CONFIG = EventInvokeConfig("", LATEST)


def check_ranges(maximum_retry_attempts: int | None, maximum_event_age_s: int | None) -> None:
    """Lambda's own ranges (the API model checks them too, as ValidationException, before we get here)."""
    low, high = RETRY_ATTEMPTS_RANGE
    if maximum_retry_attempts is not None and not low <= maximum_retry_attempts <= high:
        raise InvalidParameterValueError(f"MaximumRetryAttempts must be between {low} and {high} "
                                         f"(got {maximum_retry_attempts})")
    low, high = EVENT_AGE_RANGE
    if maximum_event_age_s is not None and not low <= maximum_event_age_s <= high:
        raise InvalidParameterValueError(f"MaximumEventAgeInSeconds must be between {low} and {high} "
                                         f"(got {maximum_event_age_s})")


class EventInvokeConfigs:
    """The configurations in memory, keyed by (function, qualifier); the store keeps them across starts."""

    def __init__(self) -> None:
        self._configs: dict[tuple[str, str], EventInvokeConfig] = {}

    def get(self, function: str, qualifier: str) -> EventInvokeConfig | None:
        return self._configs.get((function, qualifier))

    def set(self, config: EventInvokeConfig) -> None:
        self._configs[(config.function, config.qualifier)] = config

    def remove(self, function: str, qualifier: str | None = None) -> list[EventInvokeConfig]:
        """Forget one qualifier's configuration, or (None) every configuration of the function."""
        keys = [key for key in self._configs if key[0] == function and qualifier in (None, key[1])]
        return [self._configs.pop(key) for key in keys]

    def of_function(self, function: str) -> list[EventInvokeConfig]:
        return [config for (name, _), config in sorted(self._configs.items()) if name == function]

    def effective(self, function: str, qualifier: str | None) -> EventInvokeConfig:
        """What an event invoked through ``qualifier`` (None: unqualified) follows."""
        if qualifier is not None and qualifier != LATEST:
            found = self._configs.get((function, qualifier))
            if found is not None:
                return found
        return self._configs.get((function, LATEST)) or DEFAULT_CONFIG
