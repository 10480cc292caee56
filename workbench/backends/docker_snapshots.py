"""SnapStart on the Docker backend: a version's snapshot is a forking runtime process inside a container made
for that version, and every environment restored from it is one of its forks, in the same container.

Why this is the nearest equivalent. Lambda snapshots a microVM (memory and disk) and restores copies of it into
new microVMs. Docker can only do that with CRIU (`docker checkpoint`), which needs an experimental daemon and
CRIU installed, and restores in hundreds of milliseconds into a container of its own: neither is available
here, and it would be slower than the cold start it replaces. What remains is what the process backend does
(see `snapshots`): init and the before-snapshot hooks run once in a process that then only forks, and each fork
starts from its memory, copy-on-write. A fork cannot leave its container, so restored environments live in the
version's container, which is made exactly as an environment's container is (same image, mounts, user, labels
and memory limit; the reaper and the leftovers cleanup find it by its owner label like any other).

The workbench talks to the snapshot over the same protocol as on the process backend. A container cannot
inherit a descriptor, so the snapshot connects instead, to a listening Unix socket in a folder of ours that is
bind-mounted into the container (its path in WORKBENCH_SNAPSHOT_SOCKET). Once connected, container and
workbench share a kernel: descriptors pass with SCM_RIGHTS (each restored runtime writes straight into its own
output pipe, not the container's), and the kernel translates the pid in SCM_CREDENTIALS into the workbench's
PID namespace, so a restored runtime is a host process we watch with a pidfd, as on the process backend.

What restored environments of one version share, and how that is handled:
- the container's cgroup. Its freezer would freeze them all, so each is frozen and thawed on its own with
  SIGSTOP/SIGCONT to its process group (each fork starts a session), as on the process backend. Its memory
  limit would be shared too: it grows by MemorySize for each live restored environment and shrinks back when
  one ends, so the container's limit bounds the whole and MemorySize applies per environment by sampling each
  one's processes (a runtime over its size is killed and reported out of memory), as on the process backend.
  Peak memory (Max Memory Used) is each runtime's own high-water mark, read from /proc.
- /tmp (the container's tmpfs, EphemeralStorage in size): what init wrote there is part of the snapshot, as
  on Lambda, and later writes are visible to the version's other environments. A private /tmp per fork would
  need a mount namespace, which an unprivileged process in a container cannot make (Docker's seccomp profile
  refuses unshare). It is the same trade as the process backend's bubblewrap sandbox makes; functions that
  need isolation between concurrent environments should use unique names in /tmp, as AWS advises for
  anything that must differ between restored environments.
- the container's PID limit (1024): enough for the environments of one version on one machine.

The container outlives `close` while environments restored from it still run (they end with their version),
and goes with the last of them; the backend removes it anyway when it closes. Should the snapshot process die,
the container's reset ends its restored environments (unlike on the process backend, where they outlive it)
and the container goes too; the engine then makes a new snapshot for the version's next environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.backends.base import LaunchError, LaunchSpec, OutputSink
from workbench.backends.docker_api import Bind
from workbench.backends.images import kind_of
from workbench.backends.process import ProcessHandle
from workbench.backends.sandbox import Sandbox
from workbench.backends.snapshots import SOCKET_VARIABLE, ProcessSnapshot
from workbench.fsutil import link_tree, remove_tree

if TYPE_CHECKING:
    from workbench.backends.docker import DockerBackend, DockerHandle

log = logging.getLogger(__name__)
_MIB = 1024 * 1024
#: Where the folder with the control socket is mounted in the snapshot's container.
CONTROL_DIR = "/run/workbench-snapshot"
_SOCKET_NAME = "control.sock"
#: How often each restored runtime's memory is sampled against its MemorySize (as the process backend does).
_MEMORY_POLL_S = 0.05


async def take_snapshot(backend: DockerBackend, spec: LaunchSpec, on_output: OutputSink) -> DockerSnapshot:
    """Create and start the version's container and run the snapshot process in it; `wait_ready` tells when
    init and the before-snapshot hooks are done."""
    kind = kind_of(spec.runtime)
    if kind is None:
        raise LaunchError("Runtime.InvalidEntrypoint", backend.unsupported(spec.runtime) or spec.runtime.name)
    image = await backend.images.ensure(kind)
    # A short folder of its own: a socket's path must fit in 108 bytes, which a project's scratch folder may not.
    folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="wb-snap-"))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        listener.bind(str(folder / _SOCKET_NAME))
        listener.listen(1)
        listener.setblocking(False)
        for layer in spec.layer_dirs:
            await asyncio.to_thread(link_tree, layer, spec.scratch_dir / "opt")
        sandbox = await backend._create_sandbox(spec, image.reference, [Bind(str(folder), CONTROL_DIR)])
        await sandbox.start()
        handle = await backend._start_runtime(
            sandbox, backend._command(spec, spec.scratch_dir / "opt"),
            {SOCKET_VARIABLE: f"{CONTROL_DIR}/{_SOCKET_NAME}"}, on_output, lambda _info: None)
    except BaseException:
        listener.close()
        await backend.retire(spec.env_id)
        await asyncio.to_thread(remove_tree, folder)
        raise
    return DockerSnapshot(backend, spec, sandbox, handle, listener, folder)


class DockerSnapshot(ProcessSnapshot):
    def __init__(self, backend: DockerBackend, spec: LaunchSpec, sandbox: Sandbox, handle: DockerHandle,
                 listener: socket.socket, folder: Path) -> None:
        super().__init__(handle, None, self._environment_of, self._track)
        self._backend = backend
        self._env_id = spec.env_id
        self._memory_bytes = spec.memory_mb * _MIB
        self._sandbox = sandbox
        self._runtime = handle
        self._folder = folder
        self._live: set[ProcessHandle] = set()
        self._closing = False
        self._sampler: asyncio.Task[None] | None = None
        self._removal: asyncio.Task[None] | None = None
        self._accepting = asyncio.ensure_future(self._accept(listener))
        handle.exited.add_done_callback(lambda _: self._runtime_gone())

    async def _accept(self, listener: socket.socket) -> None:
        """The snapshot's one connection; then the listener and its folder go (the connection stays)."""
        try:
            connection, _ = await asyncio.get_running_loop().sock_accept(listener)
        finally:
            listener.close()
            await asyncio.to_thread(remove_tree, self._folder)
        self.attach(connection)

    @property
    def alive(self) -> bool:
        return not self._closing and super().alive

    @property
    def container_id(self) -> str:
        return self._sandbox.container_id

    def _environment_of(self, restored: LaunchSpec) -> Mapping[str, str]:
        """A restored runtime's variables: the container's own paths, its address, stream and markers."""
        return self._backend._environment(restored)

    # -- restored environments ------------------------------------------------------------------------------
    def _track(self, restored: ProcessHandle) -> None:
        self._live.add(restored)
        self._fit_memory_limit()
        restored.exited.add_done_callback(lambda _: self._untrack(restored))
        if self._sampler is None:
            self._sampler = asyncio.get_running_loop().create_task(self._sample_memory(),
                                                                    name=f"snapshot-memory-{self._env_id}")

    def _untrack(self, restored: ProcessHandle) -> None:
        self._live.discard(restored)
        self._fit_memory_limit()
        if self._closing and not self._live and self._removal is None:
            self._removal = asyncio.get_running_loop().create_task(self._remove())

    def _fit_memory_limit(self) -> None:
        """MemorySize for the snapshot and for each live restored environment (see the module docstring)."""
        if not self._sandbox.cgroup.set_memory_limit(self._memory_bytes * (1 + len(self._live))):
            log.debug("could not change the memory limit of %s", self._sandbox.name)

    async def _sample_memory(self) -> None:
        while True:
            await asyncio.sleep(_MEMORY_POLL_S)
            for restored in list(self._live):
                restored.sample_memory()

    # -- closing --------------------------------------------------------------------------------------------
    def _runtime_gone(self) -> None:
        """The snapshot process ended (crashed, or killed with its container): the environments restored from it
        end with it (the container's reset kills what is left), and the container goes after them. The engine
        makes a new snapshot when the version needs one."""
        if not self._closing:
            self._closing = True
            if not self._live and self._removal is None:
                self._removal = asyncio.get_running_loop().create_task(self._remove())

    async def close(self) -> None:
        """No more restores; the container goes now, or with the last environment restored from it."""
        self._closing = True
        self._accepting.cancel()
        if not self._live and self._removal is None:
            self._removal = asyncio.ensure_future(self._remove())
        if self._removal is not None:
            await asyncio.shield(self._removal)

    async def _remove(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
        self._closed()
        try:
            await self._runtime.kill()
            await self._backend.retire(self._env_id)
        except Exception as exc:   # the backend removes it when it closes, or the next start does (a leftover)
            log.warning("could not remove the snapshot container %s: %s", self._sandbox.name, exc)
        with contextlib.suppress(asyncio.CancelledError, OSError):
            await self._accepting
        await asyncio.to_thread(remove_tree, self._folder)
