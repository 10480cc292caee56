"""When the queue tries an event again (spec §5, §12.2), as plain arithmetic so it can be tested on its own.

- Function errors (errors, timeouts, crashes, out of memory): up to `MaximumRetryAttempts` more attempts, about
  1 minute before the second and 2 minutes before the third.
- Throttles and the service's own errors: backoff from 1 s doubling to at most 5 minutes (LocalStack's
  ``min(2**n, 300)``), for as long as the event is younger than `MaximumEventAgeInSeconds`.

Every delay and the maximum age are multiplied by ``scale`` (`EngineSettings.async_delay_scale`): a classroom
cannot wait three minutes to see a retry, so 0.01 turns them into 0.6 s and 1.2 s.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2
DEFAULT_MAXIMUM_EVENT_AGE_S = 21_600
RETRY_ATTEMPTS_RANGE = (0, 2)
EVENT_AGE_RANGE = (60, 21_600)
#: Seconds before the second and the third attempt after function errors.
FUNCTION_ERROR_DELAYS_S = (60.0, 120.0)
THROTTLE_FIRST_DELAY_S = 1.0
THROTTLE_MAX_DELAY_S = 300.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    maximum_retry_attempts: int = DEFAULT_MAXIMUM_RETRY_ATTEMPTS
    maximum_event_age_s: float = DEFAULT_MAXIMUM_EVENT_AGE_S
    scale: float = 1.0

    @property
    def max_age_s(self) -> float:
        return self.maximum_event_age_s * self.scale

    def after_function_error(self, function_errors: int) -> float | None:
        """The delay before the next attempt after the ``function_errors``-th function error; None when the
        retries are exhausted."""
        if function_errors > self.maximum_retry_attempts:
            return None
        index = min(function_errors, len(FUNCTION_ERROR_DELAYS_S)) - 1
        return FUNCTION_ERROR_DELAYS_S[index] * self.scale

    def after_throttle(self, throttles: int) -> float:
        """The delay after the ``throttles``-th throttle (or service error): 1, 2, 4, ... 300 s."""
        doubled: float = THROTTLE_FIRST_DELAY_S * 2.0 ** min(throttles - 1, 30)
        return min(doubled, THROTTLE_MAX_DELAY_S) * self.scale

    def expired(self, received: float, when: float) -> bool:
        """Whether an event received at ``received`` is past its maximum age at ``when``."""
        return when - received > self.max_age_s
