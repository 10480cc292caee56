"""The event source mappings of an engine: their control plane (create, get, list, update, delete, with AWS's
rules and messages), their pollers (one supervised task per enabled mapping), and their statistics."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid as uuid_module
from dataclasses import dataclass

from workbench.engine.catalogue.functions import FunctionRegistry
from workbench.engine.core.clock import Clock
from workbench.engine.core.errors import InvalidParameterValueError, ResourceConflictError, ResourceNotFoundError
from workbench.engine.core.tasks import Supervisor
from workbench.engine.event_sources.clients import SdkClients, SdkError, queue_name
from workbench.engine.event_sources.config import (
    MappingConfig,
    MappingOptions,
    PollerSettings,
    SourceKind,
    State,
    source_kind,
)
from workbench.engine.event_sources.events import MappingStateChanged
from workbench.engine.event_sources.rules import DEFAULT_BATCH_SIZE, UNRECOGNISED_SOURCE, settle
from workbench.engine.event_sources.runtime import Counters, Invoker, MappingRun
from workbench.engine.event_sources.shards import ShardSource
from workbench.engine.event_sources.sqs import SqsPoller
from workbench.engine.event_sources.store import MappingStore
from workbench.engine.event_sources.streams import StreamPoller
from workbench.engine.observation.changes import ChangeAnnouncer
from workbench.engine.observation.events import CatalogueResource, Change, EventBus
from workbench.engine.observation.statistics import MappingStatistics
from workbench.engine.store.database import Database
from workbench.model.template import EventSourceMappingDefinition

log = logging.getLogger(__name__)
#: Template mappings get UUIDs derived from their logical ids, so their checkpoints survive restarts.
_TEMPLATE_NAMESPACE = uuid_module.UUID("6b1d2a52-4f7e-4c59-9a61-0d4c1f3e8a17")


@dataclass(frozen=True, slots=True)
class MappingView:
    """A mapping as the control plane shows it (settled state; answers add their transitional one)."""

    config: MappingConfig
    function_arn: str
    state: State
    last_result: str


class EventSources:
    def __init__(self, registry: FunctionRegistry, invoke: Invoker, clients: SdkClients, database: Database,
                 clock: Clock, bus: EventBus, supervisor: Supervisor, settings: PollerSettings, region: str) -> None:
        self._registry = registry
        self._invoke = invoke
        self._clients = clients
        self._store = MappingStore(database)
        self._clock = clock
        self._bus = bus
        self._supervisor = supervisor
        self.settings = settings
        self._region = region
        self._announce = ChangeAnnouncer(bus, clock)
        self._mappings: dict[str, MappingConfig] = {}
        self._counters: dict[str, Counters] = {}
        self._pollers: dict[str, asyncio.Task[None]] = {}
        self._lock = asyncio.Lock()

    # -- start and stop -----------------------------------------------------------------------------------
    async def start(self, definitions: tuple[EventSourceMappingDefinition, ...]) -> None:
        """The stored mappings, then the template's (made again from the template, keeping their UUIDs and, when
        their source is the same, their checkpoints); the enabled ones start polling."""
        for config in await self._store.load():
            self._mappings[config.uuid] = config
            self._counters[config.uuid] = Counters()
        declared = set()
        for definition in definitions:
            if definition.event_source_arn is None:
                log.warning("event source mapping %s has no EventSourceArn the workbench can read; skipped",
                            definition.logical_id)
                continue
            mapping_id = str(uuid_module.uuid5(_TEMPLATE_NAMESPACE, definition.logical_id))
            declared.add(mapping_id)
            try:
                await self._create(definition.function, definition.qualifier, definition.event_source_arn,
                                   _options(definition), origin="template", logical_id=definition.logical_id,
                                   mapping_id=mapping_id)
            except (InvalidParameterValueError, ResourceNotFoundError, ResourceConflictError) as error:
                log.warning("event source mapping %s of the template is not started: %s", definition.logical_id,
                            error.message)
        for config in list(self._mappings.values()):
            if config.origin == "template" and config.uuid not in declared:  # no longer in the template
                await self._remove(config.uuid)
        for config in self._mappings.values():
            if config.enabled:
                self._start_poller(config)

    async def close(self) -> None:
        for mapping_id in list(self._pollers):
            await self._stop_poller(mapping_id)
        self._clients.close()

    # -- control plane ----------------------------------------------------------------------------------------
    async def create(self, function: str, source_arn: str | None, options: MappingOptions) -> MappingView:
        config = await self._create(function, None, source_arn, options, origin="api")
        if config.enabled:
            self._start_poller(config)
        return self.get(config.uuid)

    async def _create(self, function: str, qualifier: str | None, source_arn: str | None, options: MappingOptions, *,
                      origin: str, logical_id: str | None = None, mapping_id: str | None = None) -> MappingConfig:
        if not source_arn:
            raise InvalidParameterValueError(UNRECOGNISED_SOURCE)
        kind = source_kind(source_arn)
        if kind is None:
            raise InvalidParameterValueError(UNRECOGNISED_SOURCE)
        target = self._registry.resolve(function, qualifier)
        name = target.version.name
        wanted = qualifier or (target.qualifier if target.invoked_arn != self._registry.arn(name) else None)
        base = MappingConfig(uuid=mapping_id or str(uuid_module.uuid4()), function=name, qualifier=wanted,
                             source_arn=source_arn, kind=kind, batch_size=DEFAULT_BATCH_SIZE[kind], origin=origin,
                             logical_id=logical_id)
        config = settle(base, options, self._clock.time())
        async with self._lock:
            previous = self._mappings.get(config.uuid)
            self._check_duplicate(config)
            await self._check_source(config)
            if previous is not None and previous.source_arn != config.source_arn:
                await self._store.forget_checkpoints(config.uuid)
            await self._store.save(config)
            self._mappings[config.uuid] = config
            self._counters.setdefault(config.uuid, Counters())
        self._announce(CatalogueResource.EVENT_SOURCE_MAPPING, Change.CREATED, config.uuid)
        return config

    def _check_duplicate(self, config: MappingConfig) -> None:
        for other in self._mappings.values():
            if other.uuid == config.uuid or other.source_arn != config.source_arn:
                continue
            if other.function == config.function and other.qualifier == config.qualifier:
                if config.kind is SourceKind.SQS:
                    raise ResourceConflictError(
                        f'An event source mapping with SQS arn (" {other.source_arn} ") and function '
                        f'(" {config.function} ") already exists. Please update or delete the existing mapping with '
                        f"UUID {other.uuid}")
                raise ResourceConflictError(
                    f'The event source arn (" {other.source_arn} ") and function (" {config.function} ") provided '
                    f"mapping already exists. Please update or delete the existing mapping with UUID {other.uuid}")

    async def _check_source(self, config: MappingConfig) -> None:
        """The source must exist (asked through the SDK, so an external endpoint is asked too)."""
        try:
            if config.kind is SourceKind.SQS:
                name, account = queue_name(config.source_arn)
                await self._clients.call("sqs", "get_queue_url", QueueName=name, QueueOwnerAWSAccountId=account)
            elif config.kind is SourceKind.KINESIS:
                await self._clients.call("kinesis", "describe_stream_summary",
                                         StreamName=config.source_arn.split("/", 1)[1])
            else:
                await self._clients.call("dynamodbstreams", "describe_stream", StreamArn=config.source_arn)
        except SdkError as exc:
            if config.kind is SourceKind.SQS:
                raise InvalidParameterValueError(
                    "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
                    f"SQS Error Message: {exc.message}") from None
            raise InvalidParameterValueError(f"Stream not found: {config.source_arn}") from None

    def get(self, mapping_id: str) -> MappingView:
        config = self._mappings.get(mapping_id)
        if config is None:
            raise ResourceNotFoundError(f"The resource you requested does not exist. (Service: Lambda, Status Code: "
                                        f"404, Request ID: {uuid_module.uuid4()})")
        counters = self._counters[mapping_id]
        return MappingView(config, self._registry.arn(config.function, config.qualifier),
                           State.ENABLED if config.enabled else State.DISABLED, counters.last_result)

    def list(self, function: str | None = None, source_arn: str | None = None) -> list[MappingView]:
        name = qualifier = None
        if function is not None:
            target = self._registry.get(function)
            name = target.name
            qualifier = self._registry.resolve(function).qualifier if ":" in function.split("function:")[-1] else None
        return [self.get(config.uuid) for config in self._mappings.values()
                if (name is None or (config.function == name and (qualifier is None or config.qualifier == qualifier)))
                and (source_arn is None or config.source_arn == source_arn)]

    async def update(self, mapping_id: str, function: str | None, options: MappingOptions) -> MappingView:
        current = self.get(mapping_id).config
        base = current
        if function is not None:
            target = self._registry.resolve(function)
            name = target.version.name
            base = dataclasses.replace(current, function=name,
                                       qualifier=target.qualifier if target.invoked_arn != self._registry.arn(name)
                                       else None)
        config = settle(base, options, self._clock.time())
        async with self._lock:
            self._check_duplicate(config)
            await self._store.save(config)
            self._mappings[mapping_id] = config
        await self._stop_poller(mapping_id)
        if config.enabled:
            self._start_poller(config)
        if config.enabled != current.enabled:
            self._bus.publish(MappingStateChanged(self._clock.time(), mapping_id,
                                                  State.ENABLED if config.enabled else State.DISABLED))
        self._announce(CatalogueResource.EVENT_SOURCE_MAPPING, Change.UPDATED, mapping_id)
        return self.get(mapping_id)

    async def delete(self, mapping_id: str) -> MappingView:
        view = self.get(mapping_id)
        await self._remove(mapping_id)
        self._announce(CatalogueResource.EVENT_SOURCE_MAPPING, Change.DELETED, mapping_id)
        return view

    async def _remove(self, mapping_id: str) -> None:
        await self._stop_poller(mapping_id)
        await self._store.delete(mapping_id)
        self._mappings.pop(mapping_id, None)
        self._counters.pop(mapping_id, None)

    # -- pollers -----------------------------------------------------------------------------------------------
    def _start_poller(self, config: MappingConfig) -> None:
        counters = self._counters.setdefault(config.uuid, Counters())
        try:
            target = self._registry.resolve(config.function, config.qualifier)
        except ResourceNotFoundError:
            counters.last_result = "PROBLEM: Function not found"
            return
        run = MappingRun(config, clients=self._clients, clock=self._clock, bus=self._bus, store=self._store,
                         settings=self.settings, region=self._region, invoke=self._invoke,
                         function_arn=self._registry.arn(config.function, config.qualifier),
                         role=target.version.config.role, counters=counters)
        poller: SqsPoller | StreamPoller
        if config.kind is SourceKind.SQS:
            poller = SqsPoller(run, float(target.version.config.timeout))
        else:
            poller = StreamPoller(run, ShardSource(self._clients, config, self._region, run.role))
        self._pollers[config.uuid] = self._supervisor.spawn(poller.run_forever(), f"mapping-{config.uuid}")

    async def _stop_poller(self, mapping_id: str) -> None:
        task = self._pollers.pop(mapping_id, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        counters = self._counters.get(mapping_id)
        if counters is not None:
            counters.pollers = 0

    async def wait_stopped(self) -> None:
        """For tests: until every poller task has ended."""
        await asyncio.gather(*self._pollers.values(), return_exceptions=True)

    def statistics(self) -> tuple[MappingStatistics, ...]:
        found = []
        for mapping_id, config in self._mappings.items():
            counters = self._counters[mapping_id]
            found.append(MappingStatistics(
                mapping_id, config.function, config.source_arn, "Enabled" if config.enabled else "Disabled",
                counters.last_batch_size, counters.last_result, counters.in_flight, counters.backlog,
                counters.iterator_age_s, counters.filtered, counters.sent_to_destinations, counters.batches,
                counters.records, counters.failures, counters.pollers, counters.buffered))
        return tuple(found)


def _options(definition: EventSourceMappingDefinition) -> MappingOptions:
    timestamp = definition.properties.get("StartingPositionTimestamp")
    return MappingOptions(
        enabled=definition.enabled, batch_size=definition.batch_size,
        maximum_batching_window_s=definition.maximum_batching_window_s,
        starting_position=definition.starting_position,
        starting_position_timestamp=float(timestamp) if isinstance(timestamp, (int, float)) else None,
        parallelization_factor=definition.parallelization_factor,
        maximum_retry_attempts=definition.maximum_retry_attempts,
        maximum_record_age_s=definition.maximum_record_age_s,
        bisect_batch_on_function_error=definition.bisect_batch_on_function_error or None,
        tumbling_window_s=definition.tumbling_window_s, maximum_concurrency=definition.maximum_concurrency,
        function_response_types=definition.function_response_types or None,
        filter_patterns=definition.filter_patterns or None, on_failure=definition.on_failure_destination)


