"""Engine settings: the knobs a classroom or a test turns. Defaults are AWS's values."""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field

from workbench.engine.event_sources.config import PollerSettings
from workbench.engine.observation.tracing import SubsegmentNames
from workbench.model import limits
from workbench.model.arn import DEFAULT_ACCOUNT, DEFAULT_REGION


@dataclass(frozen=True, slots=True)
class EngineSettings:
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT
    #: On-demand init limit; a slower init is retried under the invoke's own timeout (spec §3).
    init_timeout_s: float = limits.INIT_TIMEOUT_S
    #: Freeze an environment as soon as its runtime waits for the next event (Lambda does).
    freeze_idle: bool = True
    #: Delay before freezing; 0 freezes at once. Backends whose pause is slow may want a little.
    freeze_delay_s: float = 0.0
    #: Stop environments idle for this long (AWS: minutes, unspecified).
    idle_timeout_s: float = 600.0
    #: Recycle environments after this lifetime (AWS: a few hours).
    max_lifetime_s: float = 4 * 3600.0
    account_concurrency: int = limits.ACCOUNT_CONCURRENCY_DEFAULT
    unreserved_min: int = limits.UNRESERVED_MIN
    #: New environments per function per scaling window (AWS: 1,000 per 10 s).
    scaling_environments: int = limits.SCALING_ENVIRONMENTS_PER_WINDOW
    scaling_window_s: float = limits.SCALING_WINDOW_S
    #: How many environments may initialise at once (0: no bound, as on Lambda). See `initgate.py`.
    max_parallel_inits: int = field(default_factory=lambda: max(4, 4 * (os.cpu_count() or 1)))
    async_payload_max: int = limits.ASYNC_PAYLOAD_MAX
    #: Multiplies every delay of the asynchronous queue (retries after 1 and 2 min, throttle backoff) and the
    #: maximum event age: a classroom cannot wait 3 minutes, 0.01 makes them 0.6 and 1.2 s (spec §5).
    async_delay_scale: float = 1.0
    #: One engine per project runs its asynchronous events (the others only accept them into the store): it
    #: holds a lease it renews every third of this, and another engine takes over when it is this stale (or at
    #: once when its process is gone). See `engine/asynchronous/lease.py`.
    async_lease_s: float = 10.0
    #: How often the processing engine looks in the store for events other engines accepted.
    async_poll_s: float = 0.5
    #: Finished asynchronous events (and their attempts) are kept this long, and at most this many per function;
    #: open ones are always kept.
    async_retention_s: float = 7 * 24 * 3600.0
    async_retention_count: int = 10_000
    #: A function's queue holds at most this many open events; one more is accepted (202) and dropped at once,
    #: with an `AsyncEventDropped` event and the AsyncEventsDropped metric (AWS drops events "under extreme
    #: backlog" without saying where).
    async_max_backlog: int = 100_000
    subsegment_names: SubsegmentNames = field(default_factory=SubsegmentNames)
    log_tail_bytes: int = limits.LOG_TAIL_BYTES
    #: An external AWS endpoint (LocalStack, ElasticMQ, a real account) for the supporting services; then no
    #: local moto starts and functions' SDKs, provisioning, forwarding and the asynchronous queue's dead-letter
    #: and destination deliveries all go there.
    aws_endpoint: str | None = None
    #: Event source mappings: polling rhythm, retry pacing and SQS poller scaling.
    event_sources: PollerSettings = field(default_factory=PollerSettings)


def checked_aws_endpoint(url: str) -> str:
    """An external AWS endpoint as the settings keep it (``http(s)://host[:port]``, no trailing slash); the
    command line and the GUI both check what the user typed here. Raises ValueError with a readable reason."""
    text = url.strip()
    try:
        parsed = urllib.parse.urlsplit(text)
        parsed.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
    except ValueError:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.hostname \
            or parsed.path not in ("", "/") or parsed.query or parsed.fragment:
        raise ValueError(f"the AWS endpoint must be an http(s)://host[:port] URL (got {url!r})")
    return text.rstrip("/")
