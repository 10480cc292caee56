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
from workbench.engine.clock import Clock, RealClock
from workbench.engine.code import CodeSnapshot, CodeStore
from workbench.engine.environment import Environment, EnvironmentServices, InitOutcome, decode_client_context
from workbench.engine.errors import (
    InvalidParameterValueError,
    InvalidRequestContentError,
    RequestTooLargeError,
    ServiceError,
    TooManyRequestsError,
)
from workbench.engine.events import (
    EngineEvent,
    EventBus,
    InitType,
    LogLine,
    Throttled,
    TraceRecord,
    TraceRecorded,
)
from workbench.engine.invocation import InvokeRequest, InvokeResult
from workbench.engine.pool import EnvironmentInfo, FunctionPool
from workbench.engine.registry import FunctionEntry, FunctionRegistry, Target
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
        self._pools: dict[str, FunctionPool] = {}
        self._supervisor = Supervisor()
        self._scratch_root = state_dir / "run" / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._services = EnvironmentServices(self.backend, self._runtime_api, self.clock, self.bus, self.settings,
                                             self._scratch_root)
        self._started_at = 0.0
        self._running = False
        self._stopping: set[asyncio.Task[None]] = set()

    # -- lifecycle --------------------------------------------------------------------------------------
    async def __aenter__(self) -> Engine:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    async def start(self) -> None:
        self._started_at = self.clock.monotonic()
        await asyncio.to_thread(_remove_stale_scratch, self.state_dir / "run")
        self._scratch_root.mkdir(parents=True, exist_ok=True)
        await self.store.open()
        self.bus.subscribe(self._persist)
        await self.backend.open()
        await self._runtime_api.start()
        if self.project is not None:
            for config in self.project.functions:
                await self.add_function(config, source="template")
        self._running = True
        self._supervisor.spawn(self._reap_idle(), "idle-reaper")

    async def close(self) -> None:
        if not self._running:
            return
        self._running = False
        await self._supervisor.close()
        environments = [env for pool in self._pools.values() for env in pool.environments.values()]
        await asyncio.gather(*(self._stop_environment(env, "shutdown") for env in environments))
        if self._stopping:
            await asyncio.gather(*self._stopping, return_exceptions=True)
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
        snapshot = code or await self._snapshot(config)
        entry = FunctionEntry(FunctionVersion(config, LATEST, snapshot), source=source)
        self.registry.add(entry)
        self._pools.setdefault(config.name, FunctionPool(config.name))
        return entry

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
        new_config = config or current.config
        snapshot = code or current.code
        entry.latest = FunctionVersion(new_config, LATEST, snapshot, current.layer_dirs, current.revision + 1)
        pool = self._pools[entry.name]
        for env in pool.idle_environments():
            if env.version.version == LATEST:
                self._stop_in_background(env, "code-update")
        return entry.latest

    async def reload_code(self, name: str) -> FunctionVersion:
        """Take a fresh snapshot of $LATEST's code from disk (a hot reload after an edit)."""
        entry = self.registry.get(name)
        return await self.update_function(name, code=await self._snapshot(entry.config))

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

    async def invoke(self, function: str, payload: bytes | str = b"", *, qualifier: str | None = None,
                     client_context: str | None = None, tenant_id: str | None = None) -> InvokeResult:
        """Invoke synchronously (RequestResponse). Raises LambdaError subclasses for requests Lambda itself
        refuses (unknown function, bad payload, throttle); function failures come back in the result."""
        if not self._running:
            raise ServiceError("the engine is not running")
        data = payload.encode() if isinstance(payload, str) else payload
        self._check_payload(data, limits.SYNC_PAYLOAD_MAX)
        target = self.registry.resolve(function, qualifier)
        request = self._request(target, data, client_context, tenant_id)
        return await self._run(target, request)

    async def _run(self, target: Target, request: InvokeRequest) -> InvokeResult:
        version = target.version
        pool = self._pools[version.name]
        unsupported = self.backend.unsupported(version.runtime)
        if unsupported:
            raise ServiceError(unsupported)
        environment = pool.take_idle(version.version, version.revision)
        cold: InitOutcome | None = None
        self._admit(pool, target, new_environment=environment is None)
        pool.in_flight += 1
        try:
            if environment is None:
                environment = Environment(self._services, version, InitType.ON_DEMAND)
                pool.add(environment)
                pool.cold_starts += 1
                cold = await environment.start()
            result = await environment.invoke(request, cold)
        except BaseException:
            if environment is not None:
                self._stop_in_background(environment, "failed")
            raise
        finally:
            pool.in_flight -= 1
        pool.invocations += 1
        if result.function_error:
            pool.errors += 1
        self._release(pool, environment)
        return result

    def _admit(self, pool: FunctionPool, target: Target, *, new_environment: bool) -> None:
        """Concurrency limits (spec §4). Raises TooManyRequestsError."""
        total = sum(p.in_flight for p in self._pools.values())
        if total >= self.settings.account_concurrency:
            self._throttle(pool, target, "ConcurrentInvocationLimitExceeded")

    def _throttle(self, pool: FunctionPool, target: Target, reason: str) -> None:
        pool.throttles += 1
        self.bus.publish(Throttled(self.clock.time(), pool.function, target.qualifier, reason))
        raise TooManyRequestsError(reason)

    def _release(self, pool: FunctionPool, environment: Environment) -> None:
        if environment.stopped:
            pool.discard(environment)
            return
        entry = self.registry.get(pool.function) if pool.function in self.registry else None
        current = entry.latest.revision if entry is not None else None
        if environment.version.version == LATEST and environment.version.revision != current:
            self._stop_in_background(environment, "code-update")
            return
        pool.put_idle(environment)

    # -- stopping ---------------------------------------------------------------------------------------
    async def _stop_environment(self, environment: Environment, reason: str) -> None:
        pool = self._pools.get(environment.function)
        if pool is not None:
            pool.discard(environment)
        await environment.stop(reason)

    def _stop_in_background(self, environment: Environment, reason: str) -> None:
        pool = self._pools.get(environment.function)
        if pool is not None:
            pool.discard(environment)
        task = asyncio.get_running_loop().create_task(environment.stop(reason), name=f"stop-{environment.id}")
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)
        task.add_done_callback(_log_failure)

    async def stop_environments(self, function: str | None = None, reason: str = "manual") -> int:
        """Stop the idle environments of ``function`` (of every function when None); busy ones finish first
        and are not touched. Returns how many were stopped."""
        names = [self.registry.get(function).name] if function else list(self._pools)
        idle = [env for name in names for env in self._pools[name].idle_environments()]
        await asyncio.gather(*(self._stop_environment(env, reason) for env in idle))
        return len(idle)

    async def _reap_idle(self) -> None:
        """Stop environments idle longer than the idle timeout, and recycle those past their lifetime."""
        interval = max(0.05, min(1.0, self.settings.idle_timeout_s / 4))
        while True:
            await self.clock.sleep(interval)
            now = self.clock.monotonic()
            for pool in list(self._pools.values()):
                for env in pool.idle_environments():
                    if now - env.created_at >= self.settings.max_lifetime_s:
                        self._stop_in_background(env, "lifetime")
                    elif now - env.last_used >= self.settings.idle_timeout_s:
                        self._stop_in_background(env, "idle")

    # -- statistics -------------------------------------------------------------------------------------
    def statistics(self) -> EngineStatistics:
        now = self.clock.monotonic()
        functions = []
        for name, pool in self._pools.items():
            reserved = self.registry.get(name).config.reserved_concurrency if name in self.registry else None
            environments = tuple(
                EnvironmentInfo(env.id, env.function, env.version.version, env.state, env.init_type,
                                env.invocations, now - env.created_at, env.log_stream)
                for env in pool.environments.values())
            functions.append(FunctionStatistics(name, environments, pool.in_flight, pool.invocations, pool.errors,
                                                pool.throttles, pool.cold_starts, reserved))
        return EngineStatistics(self.clock.time(), now - self._started_at, self.backend.name, tuple(functions))


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("stopping environment failed", exc_info=task.exception())


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
