"""A backend whose "runtime process" is a coroutine in the test's own loop, speaking the real Runtime API.

It makes the scheduler's failure and cancellation paths testable without timing a real process: the test
scripts what the runtime does (fail to launch, exit during an invocation, never answer) and the engine meets
it through the same Runtime API sockets as a real runtime.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

from workbench.backends.base import Backend, ExitInfo, LaunchError, LaunchSpec, OutputSink, RuntimeHandle

#: What the fake runtime does with one event's payload; returns the response body.
Handler = Callable[[bytes], Awaitable[bytes]]


class RuntimeExit(Exception):  # noqa: N818 - a scripted exit, not an error
    """Raised by a handler: the fake runtime process exits with ``code`` instead of answering."""

    def __init__(self, code: int = 1) -> None:
        super().__init__(code)
        self.code = code


class _FakeHandle(RuntimeHandle):
    def __init__(self, task: asyncio.Task[None]) -> None:
        self.task = task
        self.frozen = False

    def freeze(self) -> None:
        self.frozen = True

    async def thaw(self) -> None:
        self.frozen = False

    async def kill(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task

    def flush_output(self) -> None:
        pass

    def max_memory_used_mb(self, busy_s: float | None = None) -> int:
        return 1

    @property
    def alive(self) -> bool:
        return not self.task.done()


@dataclass
class FakeBackend(Backend):
    handler: Handler
    launch_error: LaunchError | None = None
    launches: int = 0
    killed: int = 0
    handles: list[_FakeHandle] = field(default_factory=list)
    name: str = "fake"

    async def launch(self, spec: LaunchSpec, on_output: OutputSink,
                     on_exit: Callable[[ExitInfo], None]) -> RuntimeHandle:
        self.launches += 1
        if self.launch_error is not None:
            raise self.launch_error
        task = asyncio.get_running_loop().create_task(self._runtime(spec, on_exit))
        handle = _FakeHandle(task)
        self.handles.append(handle)
        return handle

    async def _runtime(self, spec: LaunchSpec, on_exit: Callable[[ExitInfo], None]) -> None:
        base = f"http://{spec.runtime_api}/2018-06-01/runtime/invocation"
        code = 0
        killed = False
        try:
            async with aiohttp.ClientSession() as session:
                while True:
                    async with session.get(f"{base}/next") as event:
                        request_id = event.headers["Lambda-Runtime-Aws-Request-Id"]
                        payload = await event.read()
                    try:
                        body = await self.handler(payload)
                    except RuntimeExit as exit_now:
                        code = exit_now.code
                        return
                    async with session.post(f"{base}/{request_id}/response", data=body) as answer:
                        await answer.read()
        except asyncio.CancelledError:
            self.killed += 1
            killed = True
            raise
        finally:
            on_exit(ExitInfo(signal=signal.SIGKILL) if killed else ExitInfo(code=code))
