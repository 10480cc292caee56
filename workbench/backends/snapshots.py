"""SnapStart on the process backend: a version's snapshot is a runtime process that ran init and the
before-snapshot hooks once and then only forks; every environment restored from it is one of its forks.

Lambda snapshots a microVM's memory and restores it into new microVMs. A fork is the same thing on one
machine: the child starts with the parent's memory (copy-on-write, so a restore costs page tables, not a
copy), runs the after-restore hooks and serves. The Python bootstrap does the forking (see its SnapStart
part); this module is the workbench's side of the conversation, over a Unix socket (SOCK_SEQPACKET, one JSON
message each). On the process backend the snapshot inherits its end (its descriptor in WORKBENCH_SNAPSHOT_FD);
in a container it connects to a listening socket whose path is in WORKBENCH_SNAPSHOT_SOCKET (see
`docker_snapshots`). Either way the conversation is the same:

    snapshot -> workbench  {"ready": true} | {"ready": false, "error": {...}}   once, after init and hooks
    workbench -> snapshot  {"env": {...}} + two descriptors: the output pipe, a reply socket   per restore
    restored -> workbench  {"pid": N} on the reply socket; the kernel adds the sender's credentials, so the
                           pid is read as this process's namespace numbers it (the snapshot may run in a
                           sandbox's PID namespace)
    snapshot -> workbench  {"exit": N, "status": S}   when a restored runtime exits (the snapshot reaps it)

In a bubblewrap sandbox the forks share the snapshot's sandbox: its mounts and its /tmp (a tmpfs sized for
one environment). Outside one, each restored environment gets its own TMPDIR as a launched one does.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import json
import os
import socket
import struct
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from workbench.backends.base import (
    ExitInfo,
    LaunchError,
    LaunchSpec,
    OutputSink,
    RuntimeHandle,
    Snapshot,
    SnapshotError,
)
from workbench.backends.process import ProcessHandle

#: The variable that names the control socket's descriptor in the snapshot process.
CONTROL_VARIABLE = "WORKBENCH_SNAPSHOT_FD"
#: The variable that names, instead, the path of a listening socket the snapshot connects to.
SOCKET_VARIABLE = "WORKBENCH_SNAPSHOT_SOCKET"
_MESSAGE_MAX = 1 << 20
_UCRED = struct.Struct("iII")   # struct ucred: pid, uid, gid
#: How long a restored runtime's exit status may trail its pidfd before it is reported as unknown.
_STATUS_GRACE_S = 0.5


class RestoredHandle(ProcessHandle):
    """A restored runtime: the snapshot's child, not ours. Its exit is seen through a pidfd, and its wait
    status comes from the snapshot, which reaps it."""

    def __init__(self, snapshot: ProcessSnapshot, namespace_pid: int, pid: int, output_fd: int,
                 memory_limit_mb: int, on_output: OutputSink, on_exit: Callable[[ExitInfo], None]) -> None:
        self._snapshot = snapshot
        self._namespace_pid = namespace_pid
        self._status: int | None = None
        self._grace: asyncio.TimerHandle | None = None
        super().__init__(None, output_fd, memory_limit_mb, on_output, on_exit, pid=pid)

    def _exit_status(self) -> int | None:
        if self._status is not None or not self._snapshot.alive:
            return self._status if self._status is not None else 0x0009   # SIGKILL: the snapshot went with it
        if self._grace is None:   # gone, but its status is still on its way from the snapshot
            self._grace = self._loop.call_later(_STATUS_GRACE_S, self.reported, 0x0009)
        if self._pidfd is not None:
            self._loop.remove_reader(self._pidfd)
        return None

    def reported(self, status: int) -> None:
        """The snapshot reaped this runtime with wait status ``status``."""
        if self._status is None:
            self._status = status
        if self._grace is not None:
            self._grace.cancel()
        if self.alive:
            self._exited(self._status)


class SnapshotRuntime(Protocol):
    """What a snapshot needs of the runtime handle that runs it (a ProcessHandle, a DockerHandle)."""

    exited: asyncio.Future[ExitInfo]

    @property
    def alive(self) -> bool: ...

    async def kill(self) -> None: ...


class ProcessSnapshot(Snapshot):
    """A snapshot that is a forking runtime process, wherever that process runs (see the module docstring)."""

    def __init__(self, handle: SnapshotRuntime, control: socket.socket | None,
                 environment: Callable[[LaunchSpec], Mapping[str, str]],
                 track: Callable[[ProcessHandle], None]) -> None:
        """``control`` is the workbench's end of the control socket, or None until `attach` gives it (when the
        snapshot connects to us); ``environment`` gives a restored runtime's variables; ``track`` hands it to
        the backend (which samples its memory and kills it when it closes)."""
        self._handle = handle
        self._control: socket.socket | None = None
        self._environment = environment
        self._track = track
        self._restored: dict[int, RestoredHandle] = {}
        self._loop = asyncio.get_running_loop()
        self._ready: asyncio.Future[Mapping[str, Any]] = self._loop.create_future()
        if control is not None:
            self.attach(control)
        handle.exited.add_done_callback(lambda _: self._closed())

    def attach(self, control: socket.socket) -> None:
        """Start the conversation on ``control`` (closed at once when the snapshot is already gone)."""
        if self._ready.done() or not self._handle.alive:
            control.close()
            return
        self._control = control
        control.setblocking(False)
        self._loop.add_reader(control.fileno(), self._on_message)

    @property
    def alive(self) -> bool:
        return self._handle.alive and self._control is not None and self._control.fileno() >= 0

    async def wait_ready(self, timeout_s: float) -> None:
        """Until init and the before-snapshot hooks are done; SnapshotError when they failed."""
        try:
            message = await asyncio.wait_for(asyncio.shield(self._ready), timeout_s)
        except TimeoutError:
            await self.close()
            raise SnapshotError({"errorType": "Sandbox.Timedout",
                                 "errorMessage": f"init did not finish within {timeout_s:g} s"}) from None
        if not message.get("ready"):
            await self.close()
            raise SnapshotError(message.get("error") or {"errorType": "Runtime.Unknown",
                                                         "errorMessage": "the snapshot process exited"})

    def _on_message(self) -> None:
        assert self._control is not None
        while True:
            try:
                data = self._control.recv(_MESSAGE_MAX)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b""
            if not data:
                self._closed()
                return
            message = json.loads(data)
            if "exit" in message:
                restored = self._restored.pop(int(message["exit"]), None)
                if restored is not None:
                    restored.reported(int(message["status"]))
            elif not self._ready.done():
                self._ready.set_result(message)

    def _closed(self) -> None:
        if not self._ready.done():
            self._ready.set_result({"ready": False})
        if self._control is not None and self._control.fileno() >= 0:
            self._loop.remove_reader(self._control.fileno())
            self._control.close()

    async def restore(self, spec: LaunchSpec, on_output: OutputSink,
                      on_exit: Callable[[ExitInfo], None]) -> RuntimeHandle:
        if not self.alive or self._control is None:
            raise LaunchError("Runtime.Unknown", "the version's snapshot is gone")
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        read_fd, write_fd = os.pipe2(os.O_CLOEXEC)
        try:
            mine.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
            message = json.dumps({"env": dict(self._environment(spec))}).encode()
            fds = array.array("i", [write_fd, theirs.fileno()])
            self._control.sendmsg([message], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds.tobytes())])
        except OSError as exc:
            for fd in (read_fd, write_fd):
                os.close(fd)
            mine.close()
            theirs.close()
            raise LaunchError("Runtime.Unknown", f"could not restore from the snapshot: {exc.strerror}") from None
        os.close(write_fd)
        theirs.close()
        try:
            namespace_pid, pid = await self._loop.run_in_executor(None, _read_reply, mine)
        except OSError as exc:
            os.close(read_fd)
            raise LaunchError("Runtime.Unknown", f"the snapshot did not restore: {exc}") from None
        finally:
            mine.close()
        try:
            handle = RestoredHandle(self, namespace_pid, pid, read_fd, spec.memory_mb, on_output, on_exit)
        except OSError as exc:   # gone already (pidfd_open found no such process)
            os.close(read_fd)
            raise LaunchError("Runtime.Unknown", f"the restored runtime exited at once: {exc.strerror}") from None
        self._restored[namespace_pid] = handle
        self._track(handle)
        return handle

    async def close(self) -> None:
        self._closed()
        await self._handle.kill()


def _read_reply(reply: socket.socket) -> tuple[int, int]:
    """The restored runtime's pid as it sees itself, and as the kernel numbers it for us (blocking: run off
    the loop; a fork takes about a millisecond)."""
    reply.settimeout(10)
    data, ancillary, _, _ = reply.recvmsg(4096, socket.CMSG_SPACE(_UCRED.size))
    if not data:
        raise OSError("the snapshot closed the reply socket")
    own = int(json.loads(data)["pid"])
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            return own, _UCRED.unpack(payload[:_UCRED.size])[0]
    raise OSError("no credentials on the reply")


def control_pair() -> tuple[socket.socket, socket.socket]:
    """The workbench's end and the snapshot's (inheritable) end of a control socket."""
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    theirs.set_inheritable(True)
    return mine, theirs


def close_quietly(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()
