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

from workbench.backends.base import Backend
from workbench.backends.factory import create_backend
from workbench.engine import tracing
from workbench.engine.autoscaling import AutoscalingPolicy, ProvisionedAutoscaler
from workbench.engine.clock import Clock, RealClock
from workbench.engine.code import CodeSnapshot, CodeStore
from workbench.engine.concurrency import AccountConcurrency
from workbench.engine.environment import EnvironmentServices, decode_client_context
from workbench.engine.errors import (
    InvalidParameterValueError,
    InvalidRequestContentError,
    RequestTooLargeError,
    ResourceConflictError,
    ResourceNotFoundError,
    ServiceError,
    TooManyRequestsError,
)
from workbench.engine.events import EngineEvent, EventBus, LogLine, TraceRecord, TraceRecorded
from workbench.engine.invocation import InvokeRequest, InvokeResult
from workbench.engine.pool import EnvironmentInfo
from workbench.engine.registry import Alias, FunctionEntry, FunctionRegistry, Target
from workbench.engine.scheduler import ProvisionedConfig, Scheduler
from workbench.engine.settings import EngineSettings
from workbench.engine.statistics import EngineStatistics, FunctionStatistics
from workbench.engine.store import Store, StoredLog
from workbench.engine.supervisor import Supervisor
from workbench.engine.versions import FunctionVersion
from workbench.fsutil import remove_tree
from workbench.model import limits
from workbench.model.arn import LATEST
from workbench.model.function import FunctionConfig
from workbench.model.project import STATE_DIR_NAME, Project
from workbench.model.runtimes import Family, lookup_runtime
from workbench.runtime_api.server import RuntimeApiServer

log = logging.getLogger(__name__)

_INLINE_EXTENSIONS = {Family.PYTHON: ".py", Family.NODEJS: ".js"}


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
        self.bus = EventBus()
        self.store = Store(state_dir / "state.db")
        self.code = CodeStore(state_dir / "code")
        self.registry = FunctionRegistry(self.settings.region, self.settings.account_id)
        self._runtime_api = RuntimeApiServer()
        self._supervisor = Supervisor()
        self._scratch_root = state_dir / "run" / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        services = EnvironmentServices(self.backend, self._runtime_api, self.clock, self.bus, self.settings,
                                       self._scratch_root)
        self.scheduler = Scheduler(services, self.registry, self._supervisor)
        self._autoscalers: dict[tuple[str, str], tuple[ProvisionedAutoscaler, asyncio.Task[None]]] = {}
        self._started_at = 0.0
        self._running = False

    # -- lifecycle --------------------------------------------------------------------------------------
    async def __aenter__(self) -> Engine:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    @property
    def running(self) -> bool:
        return self._running

    async def start(self) -> None:
        """Open the store and the backend, load the project's functions, and initialise the provisioned
        environments the template asks for (they are ready before the first request)."""
        self._started_at = self.clock.monotonic()
        await asyncio.to_thread(_remove_stale_scratch, self.state_dir / "run")
        self._scratch_root.mkdir(parents=True, exist_ok=True)
        await self.store.open()
        self.bus.subscribe(self._persist)
        await self.backend.open()
        await self._runtime_api.start()
        self._running = True
        self._supervisor.spawn(self.scheduler.reap_idle(), "idle-reaper")
        try:
            if self.project is not None:
                await self._load_template(self.project)
            await self.wait_provisioned_ready()
        except BaseException:
            await self.close()
            raise

    async def _load_template(self, project: Project) -> None:
        for config in project.functions:
            await self.add_function(config, source="template")
        for config in project.functions:
            if config.reserved_concurrency is not None:
                await self.put_function_concurrency(config.name, config.reserved_concurrency)
            if config.auto_publish_alias:
                version = await self.publish_version(config.name)
                await self.create_alias(config.name, config.auto_publish_alias, version.version)
                if config.provisioned_concurrency:
                    await self.put_provisioned_concurrency(config.name, config.auto_publish_alias,
                                                           config.provisioned_concurrency)
        for scaling in project.template.autoscaling:
            await self.put_provisioned_autoscaling(scaling.function, scaling.qualifier, AutoscalingPolicy(
                scaling.target_utilisation, scaling.min_capacity, scaling.max_capacity,
                scaling.scale_out_cooldown_s, scaling.scale_in_cooldown_s))

    async def close(self) -> None:
        if not self._running:
            return
        self._running = False
        await self._supervisor.close()
        await self.scheduler.close()
        await self._runtime_api.close()
        await self.backend.close()
        await self.store.close()
        await asyncio.to_thread(remove_tree, self._scratch_root)

    # -- events and persistence -------------------------------------------------------------------------
    def subscribe(self, subscriber: Callable[[EngineEvent], None]) -> Callable[[], None]:
        return self.bus.subscribe(subscriber)

    def _persist(self, event: EngineEvent) -> None:
        if isinstance(event, LogLine):
            self.store.add_log(event.timestamp, f"/aws/lambda/{event.function}", event.log_stream, event.function,
                               event.request_id, event.platform, event.message)
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

    # -- functions --------------------------------------------------------------------------------------
    async def _snapshot(self, config: FunctionConfig) -> CodeSnapshot:
        if config.inline_code is not None:
            family = lookup_runtime(config.runtime).family
            module = config.handler.rsplit(".", 1)[0] if "." in config.handler else "index"
            filename = module + _INLINE_EXTENSIONS.get(family, "")
            return await asyncio.to_thread(self.code.from_inline, filename, config.inline_code)
        assert config.code_uri is not None
        return await asyncio.to_thread(self.code.snapshot, config.code_uri)

    async def add_function(self, config: FunctionConfig, *, source: str = "api",
                           code: CodeSnapshot | None = None) -> FunctionEntry:
        if config.name in self.registry:
            raise ResourceConflictError(f"Function already exist: {config.name}")
        snapshot = code or await self._snapshot(config)
        entry = FunctionEntry(FunctionVersion(config, LATEST, snapshot), source=source)
        self.registry.add(entry)
        self.scheduler.pool(config.name)
        return entry

    async def delete_function(self, name: str) -> None:
        entry = self.registry.remove(name)
        for key in [key for key in self._autoscalers if key[0] == entry.name]:
            self._stop_autoscaler(key)
        await self.scheduler.remove_function(entry.name)

    def functions(self) -> list[FunctionConfig]:
        return [entry.config for entry in self.registry]

    def function(self, name: str) -> FunctionConfig:
        return self.registry.get(name).config

    async def update_function(self, name: str, config: FunctionConfig | None = None,
                              code: CodeSnapshot | None = None) -> FunctionVersion:
        """Change $LATEST (configuration, code or both). Its warm environments are retired: the next
        invocation cold-starts on the new revision, as on Lambda."""
        entry = self.registry.get(name)
        current = entry.latest
        entry.latest = FunctionVersion(config or current.config, LATEST, code or current.code, current.layer_dirs,
                                       current.revision + 1)
        self.scheduler.retire(entry.name, LATEST, "code-update")
        return entry.latest

    async def reload_code(self, name: str) -> FunctionVersion:
        """Take a fresh snapshot of $LATEST's code from disk (a hot reload after an edit)."""
        entry = self.registry.get(name)
        return await self.update_function(name, code=await self._snapshot(entry.config))

    # -- versions and aliases ---------------------------------------------------------------------------
    async def publish_version(self, function: str, description: str = "") -> FunctionVersion:
        return self.registry.publish(function, description)

    async def create_alias(self, function: str, name: str, function_version: str, description: str = "",
                           additional_weights: dict[str, float] | None = None) -> Alias:
        return self.registry.create_alias(function, name, function_version, description, additional_weights)

    async def update_alias(self, function: str, name: str, function_version: str | None = None,
                           description: str | None = None,
                           additional_weights: dict[str, float] | None = None) -> Alias:
        alias = self.registry.update_alias(function, name, function_version, description, additional_weights)
        entry = self.registry.get(function)
        config = self.scheduler.provisioned.get((entry.name, name))
        if config is not None:  # provisioned environments follow the alias to its new version
            self.scheduler.set_provisioned(entry.name, name, self._version_of(entry, alias.function_version),
                                           config.requested)
        return alias

    async def delete_alias(self, function: str, name: str) -> None:
        entry = self.registry.get(function)
        self.registry.get_alias(function, name)
        await self.delete_provisioned_concurrency(entry.name, name, missing_ok=True)
        self.registry.delete_alias(function, name)

    @staticmethod
    def _version_of(entry: FunctionEntry, version: str) -> FunctionVersion:
        return entry.latest if version == LATEST else entry.versions[version]

    # -- concurrency controls ---------------------------------------------------------------------------
    def _provisioned_total(self, function: str) -> int:
        return sum(c.requested for k, c in self.scheduler.provisioned.items() if k[0] == function)

    async def put_function_concurrency(self, function: str, reserved: int) -> int:
        """Reserve concurrency for ``function`` (0 throttles every request). Raises InvalidParameterValueError."""
        name = self.registry.get(function).name
        if reserved < 0:
            raise InvalidParameterValueError("ReservedConcurrentExecutions must be at least 0")
        self.scheduler.governor.check_reservation(name, reserved, self._provisioned_total(name))
        self.scheduler.governor.set_reserved(name, reserved)
        return reserved

    async def delete_function_concurrency(self, function: str) -> None:
        self.scheduler.governor.set_reserved(self.registry.get(function).name, None)

    def function_concurrency(self, function: str) -> int | None:
        return self.scheduler.governor.reserved.get(self.registry.get(function).name)

    def account_concurrency(self) -> AccountConcurrency:
        return self.scheduler.governor.account()

    def _provisioned_target(self, function: str, qualifier: str) -> tuple[FunctionEntry, FunctionVersion]:
        entry = self.registry.get(function)
        if qualifier == LATEST:
            raise InvalidParameterValueError("Provisioned Concurrency Configs cannot be applied to unpublished "
                                             "function versions.")
        if qualifier in entry.versions:
            return entry, entry.versions[qualifier]
        alias = self.registry.get_alias(function, qualifier)
        return entry, self._version_of(entry, alias.function_version)

    async def put_provisioned_concurrency(self, function: str, qualifier: str, count: int) -> ProvisionedConfig:
        """Keep ``count`` environments of an alias or version initialised (status IN_PROGRESS -> READY)."""
        if count < 1:
            raise InvalidParameterValueError("ProvisionedConcurrentExecutions must be at least 1")
        entry, version = self._provisioned_target(function, qualifier)
        for key, other in self.scheduler.provisioned.items():
            if key[0] == entry.name and key[1] != qualifier and other.version.version == version.version:
                raise ResourceConflictError(f"Version {version.version} already has provisioned concurrency "
                                            f"through {key[1]}")
        return self.scheduler.set_provisioned(entry.name, qualifier, version, count)

    def provisioned_concurrency(self, function: str, qualifier: str | None = None) -> list[ProvisionedConfig]:
        name = self.registry.get(function).name
        return [c for k, c in self.scheduler.provisioned.items()
                if k[0] == name and (qualifier is None or k[1] == qualifier)]

    async def delete_provisioned_concurrency(self, function: str, qualifier: str, *, missing_ok: bool = False) -> None:
        name = self.registry.get(function).name
        if (name, qualifier) not in self.scheduler.provisioned and not missing_ok:
            raise ResourceNotFoundError(f"No Provisioned Concurrency Config found for this function: "
                                        f"{self.registry.arn(name, qualifier)}")
        self._stop_autoscaler((name, qualifier))
        self.scheduler.delete_provisioned(name, qualifier)

    async def wait_provisioned_ready(self, function: str | None = None) -> None:
        """Wait until provisioned configurations (of ``function``) are READY or FAILED."""
        await self.scheduler.wait_provisioned(self.registry.get(function).name if function else None)

    async def put_provisioned_autoscaling(self, function: str, qualifier: str,
                                          policy: AutoscalingPolicy) -> ProvisionedAutoscaler:
        """Target-tracking autoscaling of an alias's or version's provisioned concurrency."""
        entry, _ = self._provisioned_target(function, qualifier)
        key = (entry.name, qualifier)
        self._stop_autoscaler(key)
        if key not in self.scheduler.provisioned:
            await self.put_provisioned_concurrency(entry.name, qualifier, max(1, policy.min_capacity))

        def apply(capacity: int) -> None:
            if capacity >= 1 and key in self.scheduler.provisioned:
                config = self.scheduler.provisioned[key]
                self.scheduler.set_provisioned(entry.name, qualifier, config.version, capacity)

        scaler = ProvisionedAutoscaler(self.clock, policy, lambda: self.scheduler.utilisation(key), apply)
        task = self._supervisor.spawn(scaler.run(), f"autoscaling-{entry.name}-{qualifier}")
        self._autoscalers[key] = (scaler, task)
        return scaler

    def _stop_autoscaler(self, key: tuple[str, str]) -> None:
        existing = self._autoscalers.pop(key, None)
        if existing is not None:
            existing[1].cancel()

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

    def _request(self, target: Target, payload: bytes, client_context: str | None,
                 tenant_id: str | None) -> InvokeRequest:
        now = self.clock.time()
        trace_id = tracing.new_trace_id(now)
        segment_id = tracing.new_segment_id()
        sampled = target.version.config.tracing_mode == "Active"
        if client_context is not None and len(client_context) > limits.CLIENT_CONTEXT_MAX:
            raise InvalidParameterValueError(f"Client context must be at most {limits.CLIENT_CONTEXT_MAX} bytes")
        try:
            decoded_context = decode_client_context(client_context)
        except ValueError:
            raise InvalidParameterValueError("Client context must be a valid Base64-encoded JSON object.") from None
        return InvokeRequest(
            request_id=str(uuid.uuid4()), payload=payload, invoked_arn=target.invoked_arn,
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
            raise ServiceError(unsupported)
        return target, self._request(target, data, client_context, tenant_id)

    async def invoke(self, function: str, payload: bytes | str = b"", *, qualifier: str | None = None,
                     client_context: str | None = None, tenant_id: str | None = None) -> InvokeResult:
        """Invoke synchronously (RequestResponse). Raises LambdaError subclasses for requests Lambda itself
        refuses (unknown function, bad payload, throttle); function failures come back in the result."""
        target, request = self._prepare(function, payload, qualifier, limits.SYNC_PAYLOAD_MAX, client_context,
                                         tenant_id)
        return await self.scheduler.execute(target, request)

    async def invoke_async(self, function: str, payload: bytes | str = b"", *, qualifier: str | None = None) -> str:
        """Invoke asynchronously (Event): validated and accepted now, run in the background. Returns the
        request id. (Retries, dead-letter queues and destinations build on this.)"""
        target, request = self._prepare(function, payload, qualifier, self.settings.async_payload_max, None, None)
        self._supervisor.spawn(self._run_event(target, request), f"event-{request.request_id}")
        return request.request_id

    async def _run_event(self, target: Target, request: InvokeRequest) -> None:
        delay = 1.0
        while True:
            try:
                await self.scheduler.execute(target, request)
                return
            except TooManyRequestsError:
                await self.clock.sleep(delay)   # throttled events wait and try again (spec §4)
                delay = min(delay * 2, 300.0)

    async def stop_environments(self, function: str | None = None, reason: str = "manual") -> int:
        """Stop the idle environments of ``function`` (of every function when None); busy ones finish first
        and are not touched. Returns how many were stopped."""
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
                pool.cold_starts, reserved.get(name), self._provisioned_total(name), pool.spillovers))
        return EngineStatistics(self.clock.time(), now - self._started_at, self.backend.name, tuple(functions))


def _remove_stale_scratch(run_dir: Path) -> None:
    """Folders of engines that are gone (a crashed workbench) are removed at the next start."""
    if not run_dir.is_dir():
        return
    for folder in run_dir.iterdir():
        pid_text = folder.name.split("-", 1)[0]
        if not (pid_text.isdigit() and _process_exists(int(pid_text))):
            remove_tree(folder)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
