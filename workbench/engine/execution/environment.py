"""One execution environment: a sandbox that outlives the runtime processes started in it.

Lifecycle (spec §3): init (launch the runtime, wait for its first `next`) -> invoke, freeze, thaw, invoke ...
A timeout, crash or out-of-memory kill resets the environment: the runtime is killed, /tmp stays, and the
next invocation that lands here re-runs init inside its own timeout ("suppressed init", Phase: invoke).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from workbench.backends.base import (
    Backend,
    ExitInfo,
    LaunchError,
    LaunchSpec,
    RuntimeHandle,
    Snapshot,
    launch_error,
)
from workbench.engine.catalogue.versions import FunctionVersion
from workbench.engine.core.clock import Clock, LazyTimer
from workbench.engine.core.settings import EngineSettings
from workbench.engine.execution.invocation import InvokeRequest, InvokeResult, error_payload
from workbench.engine.execution.outcomes import (
    OUTCOME_TYPES,
    Outcome,
    RuntimeExited,
    TimedOut,
    Verdict,
    exit_message,
    judge,
)
from workbench.engine.observation import logformat
from workbench.engine.observation.events import (
    EnvironmentBusy,
    EnvironmentEvent,
    EnvironmentFrozen,
    EnvironmentIdle,
    EnvironmentInitFailed,
    EnvironmentInitialised,
    EnvironmentStarting,
    EnvironmentStopped,
    EnvState,
    EventBus,
    InitType,
    InvocationFinished,
    InvocationRecord,
    InvocationStarted,
    LogLine,
    Span,
    TraceRecord,
    TraceRecorded,
)
from workbench.fsutil import remove_tree
from workbench.model.arn import runtime_version_arn
from workbench.runtime_api.endpoint import (
    EndpointState,
    Errored,
    InitFailed,
    Responded,
    ResponseTooLarge,
    RuntimeEndpoint,
    RuntimeInvocation,
)
from workbench.runtime_api.server import RuntimeApiServer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EnvironmentServices:
    """The engine's shared parts every environment uses."""

    backend: Backend
    runtime_api: RuntimeApiServer
    clock: Clock
    bus: EventBus
    settings: EngineSettings
    scratch_root: Path
    #: AWS_ENDPOINT_URL and credentials for the SDKs in functions (read at each launch: the endpoint can
    #: change when `workbench serve` starts after the engine).
    aws_variables: Callable[[], Mapping[str, str]] = dict


@dataclass(frozen=True, slots=True)
class InitOutcome:
    ok: bool
    duration_ms: float
    span: Span
    error_type: str | None = None
    body: bytes = b""
    timed_out: bool = False


class Environment:
    def __init__(self, services: EnvironmentServices, version: FunctionVersion, init_type: InitType,
                 provisioned_for: str | None = None, snapshot: Snapshot | None = None) -> None:
        self._services = services
        #: SnapStart: the version's snapshot this environment is restored from (instead of running init).
        self._snapshot = snapshot
        self.restore_duration_ms: float | None = None
        self._clock = services.clock
        self._bus = services.bus
        self.version = version
        self.init_type = init_type
        #: The alias or version whose provisioned concurrency this environment belongs to.
        self.provisioned_for = provisioned_for
        self.id = uuid.uuid4().hex
        self.created_at = self._clock.monotonic()
        self.last_used = self.created_at
        self.log_stream = logformat.log_stream_name(self._clock.time(), version.version, self.id)
        self.log_group = logformat.log_group_name(version.name)
        self.state = EnvState.STARTING
        self.invocations = 0
        self.init_duration_ms: float | None = None
        self.handle: RuntimeHandle | None = None
        self.endpoint = RuntimeEndpoint(self._clock.monotonic)
        self.endpoint.on_parked = self._runtime_parked
        self.endpoint.on_post_invoke_done = self._post_invoke_done
        self._address: str | None = None
        self._scratch = services.scratch_root / self.id
        self._request_id: str | None = None
        self._tail: list[str] | None = None
        #: Traces waiting for the runtime's next `next` (the end of Overhead): the record's fields but the
        #: overhead span, and when the response came (monotonic, and as the wall-clock end of Invocation).
        self._pending_trace: dict[str, tuple[Callable[..., TraceRecord], float, float]] = {}
        self._outcome: asyncio.Future[object] | None = None
        #: The invocation's timeout, and the freeze of a parked runtime (set and cleared on every invocation).
        self._deadline = LazyTimer(self._clock, self._timed_out)
        self._freezer = LazyTimer(self._clock, self._freeze)
        self._traces_settled: asyncio.Event | None = None
        self.stopped = False
        #: Why the runtime was last killed (a timeout, a crash): the next invocation's re-run init says so.
        self._reset_reason: str | None = None

    # -- identity ---------------------------------------------------------------------------------------
    @property
    def function(self) -> str:
        return self.version.name

    @property
    def needs_init(self) -> bool:
        return self.handle is None or not self.handle.alive

    def _wall(self, monotonic: float) -> float:
        return monotonic - self._clock.monotonic() + self._clock.time()

    # -- logging ----------------------------------------------------------------------------------------
    def _emit(self, message: str, request_id: str | None, platform: bool) -> None:
        if self._tail is not None:
            self._tail.append(message)
        self._bus.publish(LogLine(self._clock.time(), self.function, self.log_stream, request_id, message, platform))

    def _platform(self, message: str, request_id: str | None = None) -> None:
        self._emit(message, request_id, True)

    def _on_output(self, line: str) -> None:
        self._emit(line, self._request_id, False)

    # -- events -----------------------------------------------------------------------------------------
    def _set_state(self, state: EnvState, **extra: object) -> None:
        self.state = state
        common = (self._clock.time(), self.id, self.function, self.version.version, self.init_type)
        event: EnvironmentEvent
        if state is EnvState.IDLE:
            event = EnvironmentIdle(*common)
        elif state is EnvState.FROZEN:
            event = EnvironmentFrozen(*common)
        elif state is EnvState.BUSY:
            event = EnvironmentBusy(*common, request_id=str(extra["request_id"]))
        else:
            return
        self._bus.publish(event)

    # -- init -------------------------------------------------------------------------------------------
    def _launch_spec(self) -> LaunchSpec:
        assert self._address is not None
        return launch_spec(self._services, self.version, self.id, self.init_type, self.log_stream, self._address,
                           self._scratch)

    def follow_snapshot(self, snapshot: Snapshot) -> None:
        """SnapStart: restore from ``snapshot`` at the next re-init, the version's current one (the snapshot this
        environment came from may be gone and replaced, e.g. when the backend lost the process that held it)."""
        if self._snapshot is not None:
            self._snapshot = snapshot

    async def start(self, init_timeout_s: float | None = None) -> InitOutcome:
        """Create the sandbox and run the init phase (Phase: init, bounded by the init timeout)."""
        self._bus.publish(EnvironmentStarting(self._clock.time(), self.id, self.function, self.version.version,
                                              self.init_type, self.log_stream))
        outcome = await self._init("init", init_timeout_s or self._services.settings.init_timeout_s)
        if outcome.ok:
            self.init_duration_ms = outcome.duration_ms
        return outcome

    async def _init(self, phase: str, budget_s: float) -> InitOutcome:
        self.state = EnvState.INITIALISING
        self.endpoint.restart()
        label = await self._services.backend.runtime_version(self.version.runtime)
        started = self._clock.monotonic()
        arn = runtime_version_arn(label, self._services.settings.region)
        snapshot = self._snapshot
        self._platform(logformat.restore_start_line(label, arn) if snapshot else logformat.init_start_line(label, arn))
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[object] = loop.create_future()
        self._outcome = waiter
        try:
            if self._address is None:
                # The Runtime API listener is the environment's first descriptor: when the workbench has none
                # left, the cold start fails with Runtime.ResourceExhausted, like a launch that cannot fork.
                try:
                    self._address = await self._services.runtime_api.open(self.endpoint)
                except OSError as exc:
                    raise launch_error(exc, "open the environment's Runtime API endpoint") from None
            if snapshot is not None:
                self.handle = await snapshot.restore(self._launch_spec(), self._on_output, self._on_exit)
            else:
                self.handle = await self._services.backend.launch(self._launch_spec(), self._on_output, self._on_exit)
        except LaunchError as exc:
            self._outcome = None
            return self._init_failed(phase, started, exc.error_type, error_payload(exc.error_type, exc.message))
        init_done = self.endpoint.init_done

        def init_finished(done: asyncio.Future[InitFailed | None]) -> None:
            if not waiter.done() and not done.cancelled():
                waiter.set_result(done.result())

        init_done.add_done_callback(init_finished)
        timer = self._clock.call_later(budget_s, _resolve, waiter, TimedOut())
        try:
            result = await waiter
        finally:
            timer.cancel()
            init_done.remove_done_callback(init_finished)
            self._outcome = None
        if result is None:
            ended = self._clock.monotonic()
            duration = (ended - started) * 1000.0
            self._bus.publish(EnvironmentInitialised(self._clock.time(), self.id, self.function,
                                                     self.version.version, self.init_type, duration))
            if snapshot is not None:
                self.restore_duration_ms = duration
                self._platform(logformat.restore_report_line(duration))
            elif phase == "invoke":
                self._platform(logformat.init_report_line(duration, phase))
            self.state = EnvState.IDLE
            return InitOutcome(True, duration, Span(self._wall(started), self._wall(ended)))
        await self._kill_runtime()
        if isinstance(result, TimedOut):
            return self._init_failed(phase, started, "Sandbox.Timedout", b"", timed_out=True)
        if isinstance(result, RuntimeExited):
            message = exit_message(result.info)
            return self._init_failed(phase, started, "Runtime.ExitError",
                                     error_payload("Runtime.ExitError", f"Error: {message}"))
        assert isinstance(result, InitFailed)
        return self._init_failed(phase, started, result.error_type, result.body)

    def _init_failed(self, phase: str, started: float, error_type: str, body: bytes,
                     timed_out: bool = False) -> InitOutcome:
        ended = self._clock.monotonic()
        duration = (ended - started) * 1000.0
        reported = "Runtime.Unknown" if timed_out else error_type
        self._platform(logformat.init_report_line(duration, phase, "timeout" if timed_out else "error",
                                                  None if timed_out else reported))
        self._bus.publish(EnvironmentInitFailed(self._clock.time(), self.id, self.function, self.version.version,
                                                self.init_type, error_type, phase))
        self.state = EnvState.IDLE
        return InitOutcome(False, duration, Span(self._wall(started), self._wall(ended)), error_type, body,
                           timed_out)

    # -- process events ---------------------------------------------------------------------------------
    def _on_exit(self, info: ExitInfo) -> None:
        if self._outcome is not None:
            _resolve(self._outcome, RuntimeExited(info))
        for request_id in list(self._pending_trace):
            self._finish_trace(request_id, None)
        self.endpoint.abandon()
        self._cancel_freeze()

    def _runtime_parked(self) -> None:
        """The runtime waits for its next event: nothing to do, so freeze it (as Lambda does)."""
        if not self._services.settings.freeze_idle or self.state is not EnvState.IDLE:
            return
        delay = max(self._services.settings.freeze_delay_s, self._services.backend.min_freeze_delay_s)
        if delay <= 0:
            self._freeze()
        elif self._freezer.deadline is None:
            self._freezer.set(self._clock.monotonic() + delay)

    def settle(self) -> None:
        """Freeze now if the runtime already waits for its next event (it may have asked before we were idle)."""
        if self.endpoint.state is EndpointState.READY and self.endpoint.current is None:
            self._runtime_parked()

    def _freeze(self) -> None:
        if self.state is EnvState.IDLE and self.handle is not None and self.handle.alive:
            self.handle.freeze()
            self._set_state(EnvState.FROZEN)

    def _cancel_freeze(self) -> None:
        self._freezer.cancel()
        self._deadline.cancel()

    def _timed_out(self) -> None:
        if self._outcome is not None:
            _resolve(self._outcome, TimedOut())

    def _post_invoke_done(self, invocation: RuntimeInvocation) -> None:
        self._finish_trace(invocation.request_id, invocation.done_at)

    def _finish_trace(self, request_id: str, overhead_end: float | None) -> None:
        pending = self._pending_trace.pop(request_id, None)
        if pending is None:
            return
        if not self._pending_trace and self._traces_settled is not None:
            self._traces_settled.set()
        make_trace, responded_at, responded_wall = pending
        overhead = None if overhead_end is None else \
            Span(responded_wall, responded_wall + max(0.0, overhead_end - responded_at))
        self._bus.publish(TraceRecorded(self._clock.time(), make_trace(overhead=overhead)))

    # -- invoke -----------------------------------------------------------------------------------------
    def _runtime_headers(self, request: InvokeRequest, deadline_ms: int) -> dict[str, str]:
        headers = {
            "Lambda-Runtime-Aws-Request-Id": request.request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": request.invoked_arn,
            "Lambda-Runtime-Trace-Id": request.trace_header,
            "Content-Type": request.content_type,
        }
        if request.client_context:
            headers["Lambda-Runtime-Client-Context"] = request.client_context
        if request.cognito_identity:
            headers["Lambda-Runtime-Cognito-Identity"] = request.cognito_identity
        if request.tenant_id:
            headers["Lambda-Runtime-Aws-Tenant-Id"] = request.tenant_id
        return headers

    async def invoke(self, request: InvokeRequest, cold: InitOutcome | None = None) -> InvokeResult:
        """Run one invocation here. ``cold`` is this environment's own init when the request caused it."""
        config = self.version.config
        request_id = request.request_id
        self._freezer.clear()
        self._set_state(EnvState.BUSY, request_id=request_id)
        self.invocations += 1
        self._tail = []
        self._request_id = request_id
        cold_start = cold is not None
        self._bus.publish(InvocationStarted(self._clock.time(), request_id, self.function, self.version.version,
                                            self.id, cold_start))
        begun = self._clock.monotonic()
        timeout_s = float(config.timeout)
        outcome: Outcome
        reinit: InitOutcome | None = None
        reinit_reason: str | None = None
        if self.needs_init:
            reinit_reason = ("the cold start's init failed" if cold is not None and not cold.ok
                             else self._reset_reason or "the runtime had exited")
            reinit = await self._init("invoke", timeout_s)
        runtime_done: float | None = None
        if reinit is not None and not reinit.ok:
            outcome = TimedOut() if reinit.timed_out else InitFailed(reinit.body, reinit.error_type or "")
            self._platform(logformat.start_line(request_id, self.version.version), request_id)
            delivered = begun
        else:
            self._platform(logformat.start_line(request_id, self.version.version), request_id)
            handle = self.handle
            assert handle is not None
            if self.state is EnvState.FROZEN or getattr(handle, "frozen", False):
                await handle.thaw()
            self.state = EnvState.BUSY
            remaining = max(0.0, timeout_s - (self._clock.monotonic() - begun))
            deadline_ms = int((self._clock.time() + remaining) * 1000)
            waiter: asyncio.Future[object] = asyncio.get_running_loop().create_future()
            invocation = RuntimeInvocation(request_id, request.payload, self._runtime_headers(request, deadline_ms),
                                           waiter)
            self._outcome = waiter
            self._deadline.set(self._clock.monotonic() + remaining)
            self.endpoint.submit(invocation)
            try:
                result = await waiter
                assert isinstance(result, OUTCOME_TYPES)
                outcome = result
            finally:
                self._deadline.clear()
                self._outcome = None
            delivered = invocation.delivered_at if invocation.delivered_at is not None else begun
            if reinit is not None:
                delivered = begun
            runtime_done = invocation.done_at
        return await self._finish(request, outcome, begun, delivered, cold, reinit, reinit_reason, runtime_done)

    async def _finish(self, request: InvokeRequest, outcome: Outcome, begun: float, delivered: float,
                      cold: InitOutcome | None, reinit: InitOutcome | None,
                      reinit_reason: str | None = None, runtime_done: float | None = None) -> InvokeResult:
        """``runtime_done``: when the runtime already asked for its next event (a runtime that pipelines its
        result and its `next` does so before the engine gets here)."""
        config = self.version.config
        request_id = request.request_id
        ended = self._clock.monotonic()
        handle = self.handle
        memory_used = handle.max_memory_used_mb(ended - delivered) if handle is not None else 0
        if isinstance(outcome, Responded | Errored) and memory_used > config.memory_size:
            # The peak passed MemorySize between two samples: Lambda would have killed it mid-flight.
            outcome = RuntimeExited(ExitInfo(signal=9, oom=True))
        verdict = judge(outcome, request_id, float(config.timeout))
        if verdict.resets_environment:
            self._reset_reason = _reset_reason(verdict)
            await self._kill_runtime()
        if isinstance(outcome, TimedOut):
            self._platform(logformat.timeout_line(self._clock.time(), request_id, float(config.timeout)), request_id)
            ended = delivered + float(config.timeout)
        if handle is not None:
            handle.flush_output()
        duration_ms = (ended - delivered) * 1000.0
        init_ms = cold.duration_ms if cold is not None and cold.ok and reinit is None else None
        if isinstance(outcome, RuntimeExited) and outcome.info.oom:
            memory_used = config.memory_size
        billed = logformat.billed_duration(duration_ms, init_ms if self.init_type is InitType.ON_DEMAND else None)
        self._platform(logformat.end_line(request_id), request_id)
        restored = self._snapshot is not None and cold is not None and cold.ok and reinit is None
        if restored:
            init_ms = None   # a restored environment reports Restore Duration, not Init Duration
        self._platform(logformat.report_line(request_id, duration_ms, billed, config.memory_size, memory_used,
                                             init_ms, verdict.report_status, verdict.report_error,
                                             cold.duration_ms if restored and cold is not None else None),
                       request_id)
        tail = "\n".join(self._tail or ())
        self._tail = None
        self._request_id = None
        self.last_used = self._clock.monotonic()
        record = InvocationRecord(
            request_id=request_id, function=self.function, version=self.version.version, env_id=self.id,
            log_stream=self.log_stream, cold_start=cold is not None, init_type=self.init_type,
            started_at=self._wall(delivered), duration_ms=duration_ms, billed_duration_ms=billed,
            init_duration_ms=init_ms, memory_size_mb=config.memory_size, max_memory_used_mb=memory_used,
            status=verdict.status, error_type=verdict.error_type, reinit_reason=reinit_reason,
            reinit_ms=reinit.duration_ms if reinit is not None else None,
        )
        self._bus.publish(InvocationFinished(self._clock.time(), record))
        initialization = cold.span if cold is not None else (reinit.span if reinit is not None else None)
        restore_span = None
        if restored:
            initialization, restore_span = None, initialization
        ended_wall = self._wall(ended)
        make_trace = functools.partial(
            TraceRecord, trace_id=request.trace_id, segment_id=request.segment_id, request_id=request_id,
            function=self.function, version=self.version.version, env_id=self.id, cold_start=cold is not None,
            initialization=initialization, invocation=Span(self._wall(delivered), ended_wall),
            status=verdict.status, error_type=verdict.error_type, restore=restore_span)
        runtime_alive = self.handle is not None and self.handle.alive
        if isinstance(outcome, Responded | Errored | ResponseTooLarge) and runtime_alive:
            # Built once the runtime asks for its next event: that is where Overhead ends.
            self._pending_trace[request_id] = (make_trace, ended, ended_wall)
        else:
            self._bus.publish(TraceRecorded(self._clock.time(), make_trace(overhead=None)))
        self._set_state(EnvState.IDLE)
        if runtime_done is not None:   # the trace is complete already: published after Idle, as it would be
            self._finish_trace(request_id, runtime_done)
        self.settle()
        return InvokeResult(200, verdict.payload, verdict.function_error, self.version.version, request_id,
                            _clip_tail(tail, self._services.settings.log_tail_bytes), record)

    # -- teardown ---------------------------------------------------------------------------------------
    async def _kill_runtime(self) -> None:
        handle = self.handle
        if handle is not None and handle.alive:
            await handle.kill()
        self.endpoint.abandon()

    async def _settle_traces(self, limit_s: float = 1.0) -> None:
        """A runtime that has responded but not yet asked for its next event is still in its invoke phase:
        give it a moment to finish, so that the trace gets its Overhead even when the engine stops right
        after the response (a CLI's last invocation)."""
        handle = self.handle
        if not self._pending_trace or handle is None or not handle.alive:
            return
        self._traces_settled = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._traces_settled.wait(), limit_s)

    async def stop(self, reason: str) -> None:
        if self.stopped:
            return
        self.stopped = True
        self._cancel_freeze()
        await self._settle_traces()
        await self._kill_runtime()
        await self._services.backend.retire(self.id)
        await self._services.runtime_api.release(self.endpoint)
        self.state = EnvState.STOPPED
        self._bus.publish(EnvironmentStopped(self._clock.time(), self.id, self.function, self.version.version,
                                             self.init_type, reason))
        await asyncio.to_thread(remove_tree, self._scratch)


def launch_spec(services: EnvironmentServices, version: FunctionVersion, env_id: str, init_type: InitType,
                log_stream: str, address: str, scratch: Path) -> LaunchSpec:
    """What the backend needs to start a runtime for ``version`` (an environment's, or a SnapStart snapshot's)."""
    settings = services.settings
    config = version.config
    runtime = version.runtime
    platform_unreserved = {"LANG": "en_US.UTF-8", "TZ": ":UTC", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR"}
    platform = {
        "_HANDLER": config.handler,
        "AWS_REGION": settings.region,
        "AWS_DEFAULT_REGION": settings.region,
        "AWS_LAMBDA_FUNCTION_NAME": config.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": version.version,
        "AWS_LAMBDA_INITIALIZATION_TYPE": init_type.value,
        "AWS_LAMBDA_LOG_GROUP_NAME": logformat.log_group_name(version.name),
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "TZ": ":UTC",
    }
    if runtime.execution_env:
        platform["AWS_EXECUTION_ENV"] = runtime.execution_env
    variables = {**platform_unreserved, **services.aws_variables(), **config.environment, **platform}
    return LaunchSpec(
        env_id=env_id, function=config.name, version=version.version, runtime=runtime,
        handler=config.handler, code_dir=version.code.path, layer_dirs=version.layer_dirs,
        variables=variables, runtime_api=address, memory_mb=config.memory_size,
        ephemeral_storage_mb=config.ephemeral_storage, scratch_dir=scratch,
        labels={"workbench.function": config.name, "workbench.version": version.version,
                "workbench.environment": env_id},
    )


def _resolve(future: asyncio.Future[object], value: object) -> None:
    if not future.done():
        future.set_result(value)


def _clip_tail(tail: str, limit: int) -> str:
    data = tail.encode()
    if len(data) <= limit:
        return tail
    return data[-limit:].decode("utf-8", "ignore")


def decode_client_context(encoded: str | None) -> str | None:
    """X-Amz-Client-Context is base64 JSON; the runtime gets the decoded JSON."""
    if not encoded:
        return None
    decoded = base64.b64decode(encoded, validate=False)
    json.loads(decoded)
    return decoded.decode()


def _reset_reason(verdict: Verdict) -> str:
    """Why an invocation reset its environment, as the next invocation's label says it."""
    if verdict.status == "timeout":
        return "the previous invocation timed out"
    if verdict.report_error == "Runtime.OutOfMemory":
        return "the previous invocation ran out of memory"
    return "the runtime exited during the previous invocation"
