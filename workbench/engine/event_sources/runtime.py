"""What every poller of one mapping shares: its settings, the SDK, the engine's clock, invoke path and bus,
and the counters its statistics are read from."""

from __future__ import annotations

import json
import logging
import uuid as uuid_module
from collections.abc import Awaitable, Callable
from typing import Any

from workbench.engine.core.clock import Clock
from workbench.engine.core.errors import LambdaError, TooManyRequestsError
from workbench.engine.event_sources.clients import SdkClients
from workbench.engine.event_sources.config import MappingConfig, PollerSettings
from workbench.engine.event_sources.events import MappingBatchProcessed
from workbench.engine.event_sources.filters import compile_patterns
from workbench.engine.event_sources.store import MappingStore
from workbench.engine.execution.invocation import InvokeResult
from workbench.engine.observation.events import EventBus

log = logging.getLogger(__name__)

#: ``invoke(function, payload, qualifier)``: the engine's synchronous invoke.
Invoker = Callable[[str, bytes, str | None], Awaitable[InvokeResult]]
#: The largest batch payload: a synchronous invoke's 6 MB.
PAYLOAD_MAX = 6 * 1024 * 1024


class Counters:
    """Mutable, read by `statistics()` (only ever touched on the event loop)."""

    def __init__(self) -> None:
        self.last_batch_size = 0
        self.last_result = "No records processed"
        self.in_flight = 0
        #: Messages or records received and held while a batching window fills.
        self.buffered = 0
        self.backlog: int | None = None
        self.iterator_age_s: float | None = None
        self.filtered = 0
        self.sent_to_destinations = 0
        self.batches = 0
        self.records = 0
        self.failures = 0
        self.pollers = 0


class MappingRun:
    def __init__(self, config: MappingConfig, *, clients: SdkClients, clock: Clock, bus: EventBus, store: MappingStore,
                 settings: PollerSettings, region: str, invoke: Invoker, function_arn: str, role: str,
                 counters: Counters) -> None:
        self.config = config
        self.clients = clients
        self.clock = clock
        self.bus = bus
        self.store = store
        self.settings = settings
        self.region = region
        self._invoke = invoke
        self.function_arn = function_arn
        self.role = role
        self.counters = counters
        self.keep = compile_patterns(config.filter_patterns)

    async def invoke(self, payload: dict[str, Any]) -> InvokeResult:
        """One synchronous invoke of the mapping's function. Throttles wait and try again (with backoff) without
        counting as a retry; any other refusal (the function was deleted, ...) comes back as a failed result."""
        data = json.dumps(payload).encode()
        delay = self.settings.retry_delay_s
        self.counters.in_flight += 1
        try:
            while True:
                try:
                    return await self._invoke(self.config.function, data, self.config.qualifier)
                except TooManyRequestsError:
                    await self.clock.sleep(delay)
                    delay = min(delay * 2, self.settings.retry_delay_max_s)
                except LambdaError as error:
                    log.warning("mapping %s could not invoke %s: %s", self.config.uuid, self.config.function, error)
                    body = json.dumps({"errorType": error.code, "errorMessage": error.message}).encode()
                    return InvokeResult(error.status, body, error.code, self.config.qualifier or "$LATEST",
                                        str(uuid_module.uuid4()), "")
        finally:
            self.counters.in_flight -= 1

    def report(self, shard: str | None, size: int, result: str, failed: int, request_id: str = "") -> None:
        """One batch delivered; ``request_id`` is its invocation's (faces show the batch beside its trace)."""
        counters = self.counters
        counters.last_batch_size = size
        counters.last_result = result
        counters.batches += 1
        counters.records += size
        if result != "OK":
            counters.failures += 1
        self.bus.publish(MappingBatchProcessed(self.clock.time(), self.config.uuid, self.config.function,
                                               self.config.source_arn, shard, size, result, failed, request_id))
