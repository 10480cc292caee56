"""The engine façade: the one object the GUI, the CLI and the HTTP API talk to."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from workbench.backends.base import Backend
from workbench.backends.factory import create_backend
from workbench.backends.procfs import process_exists
from workbench.engine.asynchronous.config import EventInvokeConfigs
from workbench.engine.asynchronous.control import EventInvokeControl
from workbench.engine.asynchronous.delivery import Deliverer
from workbench.engine.asynchronous.lease import ProcessorLease
from workbench.engine.asynchronous.queue import AsyncQueue
from workbench.engine.asynchronous.store import QueuedEvent, QueueStore, query_events
from workbench.engine.catalogue.code_store import CodeStore
from workbench.engine.catalogue.control_plane import Catalogue
from workbench.engine.catalogue.functions import FunctionEntry, FunctionRegistry, Target
from workbench.engine.catalogue.layers import LayerRegistry
from workbench.engine.catalogue.restore import restore
from workbench.engine.catalogue.versions import FunctionVersion
from workbench.engine.concurrency.controls import ConcurrencyControls
from workbench.engine.core.clock import Clock, RealClock
from workbench.engine.core.errors import (
    InvalidParameterValueError,
    InvalidRequestContentError,
    InvalidRuntimeError,
    LambdaError,
    RequestTooLargeError,
    ServiceError,
)
from workbench.engine.core.initiator import initiated_by
from workbench.engine.core.settings import EngineSettings
from workbench.engine.core.tasks import Supervisor
from workbench.engine.event_sources.clients import SdkClients
from workbench.engine.event_sources.manager import EventSources
from workbench.engine.execution.environment import EnvironmentServices, decode_client_context
from workbench.engine.execution.invocation import InvokeRequest, InvokeResult
from workbench.engine.execution.pool import EnvironmentInfo
from workbench.engine.execution.scheduler import Scheduler
from workbench.engine.observation import tracing
from workbench.engine.observation.events import (
    BackendNotice,
    EngineEvent,
    EventBus,
    LogLine,
    TraceRecord,
    TraceRecorded,
)
from workbench.engine.observation.statistics import EngineStatistics, FunctionStatistics
from workbench.engine.store.database import Database
from workbench.engine.store.logs import LogStore, StoredLog
from workbench.engine.store.project_state import ProjectState
from workbench.fsutil import remove_tree
from workbench.model import limits
from workbench.model.arn import runtime_version_arn
from workbench.model.function import FunctionConfig
from workbench.model.project import STATE_DIR_NAME, Project
from workbench.model.runtimes import lookup_runtime
from workbench.runtime_api.server import RuntimeApiServer
from workbench.services.deliveries import Delivery, PushDeliveries
from workbench.services.local import LocalServices, client_for
from workbench.services.project import provision_project

log = logging.getLogger(__name__)



class Engine:
    """Loads a project, runs its functions in execution environments, and reports what happens.

    Use as ``async with Engine(project) as engine: await engine.invoke("fn", b"{}")``.
    """

    def __init__(
        self,
        project: Project | None = None,
        *,
        backend: Backend | str = "process",
        clock: Clock | None = None,
        settings: EngineSettings | None = None,
        state_dir: Path | None = None,
    ) -> None:
        self.project = project
        self.settings = settings or EngineSettings()
        self.clock = clock or RealClock()
        self.backend = create_backend(backend) if isinstance(backend, str) else backend
        if state_dir is None:
            state_dir = project.state_dir if project is not None else Path.cwd() / STATE_DIR_NAME
        self.state_dir = state_dir
        self._notices: list[str] = []
        self.bus = EventBus()
        self.database = Database(state_dir / "state.db")
        self.store = LogStore(self.database)
        self.code = CodeStore(state_dir / "code")
        self.registry = FunctionRegistry(self.settings.region, self.settings.account_id)
        self.layers = LayerRegistry(self.settings.region, self.settings.account_id)
        self.state = ProjectState(self.database)
        self._runtime_api = RuntimeApiServer()
        self._supervisor = Supervisor()
        self._scratch_root = state_dir / "run" / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        #: The local AWS services (moto, started on demand) or the external endpoint of the settings.
        self.services = LocalServices(self.settings.aws_endpoint, log_path=state_dir / "services.log",
                                      on_restart=self._provision_resources)
        #: The template's supporting resources as created: {logical id: {"Ref", "Arn", ...}}.
        self.resource_attributes: dict[str, dict[str, str]] = {}
        services = EnvironmentServices(self.backend, self._runtime_api, self.clock, self.bus, self.settings,
                                       self._scratch_root, self.services.client_variables)
        self.scheduler = Scheduler(services, self.registry, self._supervisor)
        self.catalogue = Catalogue(self.registry, self.layers, self.code, self.state, self.scheduler, self.clock,
                                   self.bus)
        self.concurrency = ConcurrencyControls(self.registry, self.scheduler, self.state, self.clock,
                                               self._supervisor, self.bus)
        #: Event source mappings: SQS, Kinesis and DynamoDB pollers invoking through `invoke` (so they count
        #: toward concurrency and are throttled like any caller).
        self.event_sources = EventSources(
            self.registry, self._invoke_for_mapping,
            SdkClients(self.services.ensure_started, self.settings.region, client_for), self.database, self.clock,
            self.bus, self._supervisor, self.settings.event_sources, self.settings.region)
        self._compose_asynchronous()
        #: SNS, EventBridge and S3 pushes to functions, which the workbench delivers (moto cannot call them).
        self.deliveries = PushDeliveries(self._services_client, self._invoke_pushed, self._supervisor.spawn,
                                         refused=(LambdaError,))
        self._delegate_control_planes()
        self._started_at = 0.0
        self._running = False

    def _compose_asynchronous(self) -> None:
        """The asynchronous room: the durable queue and its configuration, sharing the store and scheduler."""
        configs = EventInvokeConfigs()
        queue_store = QueueStore(self.database, self._supervisor)
        deliverer = Deliverer(self.services, self.settings.region)
        self.event_invoke = EventInvokeControl(self.registry, configs, queue_store, deliverer, self.clock, self.bus,
                                               self._supervisor)
        self.async_queue = AsyncQueue(
            registry=self.registry, scheduler=self.scheduler, clock=self.clock, bus=self.bus, settings=self.settings,
            supervisor=self._supervisor, store=queue_store, configs=configs, deliverer=deliverer,
            make_request=lambda target, payload, request_id: self._request(target, payload, None, None, request_id),
            reserved=self.concurrency.function_concurrency, invoke_async=self.invoke_async,
            lease=ProcessorLease(self.database, self.clock, self.settings.async_lease_s))

    def _delegate_control_planes(self) -> None:
        """The façade's control-plane operations are its components' methods, bound here so each is named once
        (and typed) where it is implemented."""
        catalogue, concurrency = self.catalogue, self.concurrency
        self.create_function = catalogue.create_function
        self.save_function_state = catalogue.save_function_state
        self.update_function_code = catalogue.update_function_code
        self.reload_code = catalogue.reload_code
        self.update_function_configuration = catalogue.update_function_configuration
        self.delete_function = catalogue.delete_function
        self.function_version = catalogue.function_version
        self.list_versions = catalogue.list_versions
        self.publish_version = catalogue.publish_version
        self.create_alias = catalogue.create_alias
        self.update_alias = catalogue.update_alias
        self.get_alias = catalogue.get_alias
        self.list_aliases = catalogue.list_aliases
        self.delete_alias = catalogue.delete_alias
        self.publish_layer_version = catalogue.publish_layer_version
        self.get_layer_version = catalogue.get_layer_version
        self.list_layers = catalogue.list_layers
        self.list_layer_versions = catalogue.list_layer_versions
        self.delete_layer_version = catalogue.delete_layer_version
        self.export_package = catalogue.export_package
        self.put_function_concurrency = concurrency.put_function_concurrency
        self.delete_function_concurrency = concurrency.delete_function_concurrency
        self.function_concurrency = concurrency.function_concurrency
        self.account_concurrency = concurrency.account_concurrency
        self.put_provisioned_concurrency = concurrency.put_provisioned_concurrency
        self.provisioned_concurrency = concurrency.provisioned_concurrency
        self.get_provisioned_concurrency = concurrency.get_provisioned_concurrency
        self.delete_provisioned_concurrency = concurrency.delete_provisioned_concurrency
        self.wait_provisioned_ready = concurrency.wait_provisioned_ready
        self.put_provisioned_autoscaling = concurrency.put_provisioned_autoscaling
        mappings = self.event_sources
        self.create_event_source_mapping = mappings.create
        self.get_event_source_mapping = mappings.get
        self.list_event_source_mappings = mappings.list
        self.update_event_source_mapping = mappings.update
        self.delete_event_source_mapping = mappings.delete
        event_invoke = self.event_invoke
        self.put_function_event_invoke_config = event_invoke.put
        self.update_function_event_invoke_config = event_invoke.update
        self.get_function_event_invoke_config = event_invoke.get
        self.list_function_event_invoke_configs = event_invoke.list
        self.delete_function_event_invoke_config = event_invoke.delete
        self.wait_async_settled = self.async_queue.wait_settled

    # -- lifecycle --------------------------------------------------------------------------------------
    async def __aenter__(self) -> Engine:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    @property
    def notices(self) -> tuple[str, ...]:
        """What the backend said the user should know (BackendNotice events so far)."""
        return tuple(self._notices)

    @property
    def running(self) -> bool:
        return self._running

    async def start(self) -> None:
        """Open the store and the backend, load the project's functions, and initialise the provisioned
        environments the template asks for (they are ready before the first request)."""
        self._started_at = self.clock.monotonic()
        await asyncio.to_thread(_remove_stale_scratch, self.state_dir / "run")
        await asyncio.to_thread(self.code.remove_leftovers)
        self._scratch_root.mkdir(parents=True, exist_ok=True)
        await self.database.open()
        self.store.start()
        self.bus.subscribe(self._persist)
        await self.backend.open()
        if self.backend.notice:
            self._notices.append(self.backend.notice)
            self.bus.publish(BackendNotice(self.clock.time(), self.backend.name, self.backend.notice))
        await self._runtime_api.start()
        self._running = True
        self._supervisor.spawn(self.scheduler.reap_idle(), "idle-reaper")
        try:
            await self.services.open()
            await self._provision_resources()
            await self.event_invoke.load()
            with initiated_by("template"):
                await restore(self, self.project, await self.state.load())
                await self.event_invoke.apply_template(self.project)
            await self.wait_provisioned_ready()
            await self.async_queue.start()
            with initiated_by("template"):
                await self.event_sources.start(self.project.template.event_source_mappings
                                               if self.project is not None else ())
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if not self._running:
            return
        self._running = False
        await self.deliveries.close()
        await self.event_sources.close()
        await self._supervisor.close()
        await self.async_queue.close()
        await self.scheduler.close()
        await self._runtime_api.close()
        await self.backend.close()
        await self.services.close()
        await self.store.stop()
        await self.database.close()
        await asyncio.to_thread(remove_tree, self._scratch_root)

    async def _provision_resources(self) -> None:
        """Create the template's queues, topics, streams, tables, buses and buckets (at start, and again when
        the local services restart); the functions are read again so their references name them."""
        if self.project is not None:
            deliveries: list[Delivery] = []
            self.project, self.resource_attributes = await provision_project(self.services, self.project,
                                                                             self.settings.region, deliveries)
            await self.deliveries.replace(deliveries)

    async def _services_client(self, service: str) -> Any:
        return client_for(service, await self.services.ensure_started(), self.settings.region)

    async def _invoke_pushed(self, function: str, payload: bytes, qualifier: str | None) -> str:
        return await self.invoke_async(function, payload, qualifier=qualifier)

    # -- events and persistence -------------------------------------------------------------------------
    def subscribe(self, subscriber: Callable[[EngineEvent], None]) -> Callable[[], None]:
        return self.bus.subscribe(subscriber)

    def _persist(self, event: EngineEvent) -> None:
        if isinstance(event, LogLine):
            self.store.add_log(event.timestamp, event.log_stream, event.function, event.request_id, event.platform,
                               event.message)
        elif isinstance(event, TraceRecorded):
            self.store.add_trace(event.trace)

    async def logs(self, function: str | None = None, *, request_id: str | None = None, text: str | None = None,
                   after_id: int = 0, limit: int = 1000) -> list[StoredLog]:
        name = self.registry.get(function).name if function else None
        return await self.store.logs(function=name, request_id=request_id, text=text, after_id=after_id,
                                     limit=limit)

    async def traces(self, function: str | None = None, limit: int = 50) -> list[TraceRecord]:
        name = self.registry.get(function).name if function else None
        return await self.store.traces(name, limit)

    async def async_events(self, function: str | None = None, limit: int = 200) -> list[QueuedEvent]:
        """The newest ``limit`` asynchronous events (of ``function``) as the store holds them, oldest first: each
        with its state and attempts (the GUI's asynchronous view reads them back after a restart too)."""
        name = self.registry.get(function).name if function else None
        found = await self.database.run(lambda connection: query_events(connection, name, limit=limit, newest=True))
        return found or []

    def snapshot_failure(self, version: FunctionVersion) -> str | None:
        """Why ``version``'s SnapStart snapshot failed (its State is then Failed), or None."""
        failure = self.scheduler.snapshots.failure(version)
        return failure.reason if failure is not None else None

    # -- functions -------------------------------------------------------------------------------------
    def functions(self) -> list[FunctionConfig]:
        return [entry.config for entry in self.registry]

    def function(self, name: str) -> FunctionConfig:
        return self.registry.get(name).config

    def function_entries(self) -> list[FunctionEntry]:
        """Every function with its $LATEST, published versions and aliases (the function tree's rows)."""
        return list(self.registry)

    def function_entry(self, name: str) -> FunctionEntry:
        """One function by name, ARN or partial ARN; ResourceNotFoundError when there is none."""
        return self.registry.get(name)

    def has_function(self, name: str) -> bool:
        return name in self.registry

    def function_arn(self, name: str, qualifier: str | None = None) -> str:
        """The function's ARN, qualified when ``qualifier`` is given."""
        return self.registry.arn(name, qualifier)

    @property
    def backend_name(self) -> str:
        return self.backend.name

    async def runtime_version_arn(self, runtime: str) -> str:
        """The runtime version ARN environments of ``runtime`` report in INIT_START (RuntimeVersionConfig)."""
        label = await self.backend.runtime_version(lookup_runtime(runtime))
        return runtime_version_arn(label, self.settings.region)

    # -- invoke -----------------------------------------------------------------------------------------
    def _check_payload(self, payload: bytes, limit: int) -> None:
        if len(payload) > limit:
            raise RequestTooLargeError(f"Request must be smaller than {limit} bytes for the InvokeFunction "
                                       "operation")
        if payload:
            try:
                json.loads(payload)
            except (ValueError, UnicodeDecodeError) as exc:
                raise InvalidRequestContentError(f"Could not parse request body into json: {exc}") from None
            except RecursionError:  # deeper than the parser goes: a client's mistake, not the engine's fault
                raise InvalidRequestContentError("Could not parse request body into json: the document is nested "
                                                 "too deeply") from None

    def _request(self, target: Target, payload: bytes, client_context: str | None,
                 tenant_id: str | None, request_id: str | None = None) -> InvokeRequest:
        now = self.clock.time()
        trace_id = tracing.new_trace_id(now)
        segment_id = tracing.new_segment_id()
        sampled = target.version.config.tracing_mode == "Active"
        if client_context is not None and len(client_context) > limits.CLIENT_CONTEXT_MAX:
            raise InvalidParameterValueError(f"Client context must be at most {limits.CLIENT_CONTEXT_MAX} bytes")
        try:
            decoded_context = decode_client_context(client_context)
        except (ValueError, RecursionError):
            raise InvalidParameterValueError("Client context must be a valid Base64-encoded JSON object.") from None
        return InvokeRequest(
            request_id=request_id or str(uuid.uuid4()), payload=payload, invoked_arn=target.invoked_arn,
            trace_header=tracing.trace_header(trace_id, segment_id, sampled), trace_id=trace_id,
            segment_id=segment_id, client_context=decoded_context, tenant_id=tenant_id,
        )

    def _prepare(self, function: str, payload: bytes | str, qualifier: str | None, limit: int,
                 client_context: str | None, tenant_id: str | None) -> tuple[Target, InvokeRequest]:
        if not self._running:
            raise ServiceError("the engine is not running")
        data = payload.encode() if isinstance(payload, str) else payload
        self._check_payload(data, limit)
        target = self.registry.resolve(function, qualifier)
        unsupported = self.backend.unsupported(target.version.runtime)
        if unsupported:
            raise InvalidRuntimeError(unsupported)
        return target, self._request(target, data, client_context, tenant_id)

    async def invoke(self, function: str, payload: bytes | str = b"", *, qualifier: str | None = None,
                     client_context: str | None = None, tenant_id: str | None = None) -> InvokeResult:
        """Invoke synchronously (RequestResponse). Raises LambdaError subclasses for requests Lambda itself
        refuses (unknown function, bad payload, throttle); function failures come back in the result."""
        target, request = self._prepare(function, payload, qualifier, limits.SYNC_PAYLOAD_MAX, client_context,
                                         tenant_id)
        return await self.scheduler.execute(target, request)

    async def _invoke_for_mapping(self, function: str, payload: bytes, qualifier: str | None) -> InvokeResult:
        return await self.invoke(function, payload, qualifier=qualifier)

    async def invoke_async(self, function: str, payload: bytes | str = b"", *, qualifier: str | None = None) -> str:
        """Invoke asynchronously (Event): checked now, committed to the store, then run in the background with
        retries, dead-letter queue and destinations (see `workbench.engine.asynchronous`). Returns the request
        id once the event is durable."""
        target, request = self._prepare(function, payload, qualifier, self.settings.async_payload_max, None, None)
        await self.async_queue.accept(target, request)
        return request.request_id

    def invoke_dry_run(self, function: str, payload: bytes | str = b"", *, qualifier: str | None = None) -> str:
        """DryRun: check a request as Invoke would (function, qualifier, payload) without running anything.
        Returns the version that would run."""
        target, _ = self._prepare(function, payload, qualifier, limits.SYNC_PAYLOAD_MAX, None, None)
        return target.version.version

    async def stop_environments(self, function: str | None = None, reason: str = "manual") -> int:
        """Stop the idle on-demand environments of ``function`` (of every function when None); busy ones finish
        first and are not touched, provisioned ones stay (as on AWS). Returns how many were stopped."""
        names = [self.registry.get(function).name] if function else list(self.scheduler.pools)
        return await self.scheduler.stop_idle(names, reason)

    # -- statistics -------------------------------------------------------------------------------------
    def statistics(self) -> EngineStatistics:
        now = self.clock.monotonic()
        reserved = self.scheduler.governor.reserved
        functions = []
        for name, pool in self.scheduler.pools.items():
            environments = tuple(
                EnvironmentInfo(env.id, env.function, env.version.version, env.state, env.init_type,
                                env.invocations, now - env.created_at, env.log_stream, env.provisioned_for)
                for env in pool.environments.values())
            functions.append(FunctionStatistics(
                name, environments, pool.in_flight, pool.invocations, pool.errors, pool.throttles,
                pool.cold_starts, reserved.get(name), self.concurrency.provisioned_total(name), pool.spillovers,
                self.async_queue.statistics(name)))
        return EngineStatistics(self.clock.time(), now - self._started_at, self.backend.name, tuple(functions),
                                self.event_sources.statistics())


def _remove_stale_scratch(run_dir: Path) -> None:
    """Folders of engines that are gone (a crashed workbench) are removed at the next start."""
    if not run_dir.is_dir():
        return
    for folder in run_dir.iterdir():
        pid_text = folder.name.split("-", 1)[0]
        if not (pid_text.isdigit() and process_exists(int(pid_text))):
            remove_tree(folder)

