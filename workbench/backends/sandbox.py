"""One execution environment's container, which outlives the runtime processes started in it.

The container's first process is a launcher (`docker_launcher`: a shell loop that starts each runtime on
request and reaps orphans). So a reset after a timeout, crash or out-of-memory kill only replaces the
runtime: the container, its /tmp and its identity stay, as Lambda's do, and a re-init costs a fork, not a
container.
Between invocations the whole container is frozen through its cgroup freezer (or `docker pause` where we
may not write to the cgroup), and the output of every runtime goes to a named pipe the workbench reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
from pathlib import Path

from workbench.backends.cgroups import ContainerCgroup
from workbench.backends.docker_api import DockerApi

log = logging.getLogger(__name__)

#: Where a runtime's stdout and stderr go inside the container (a named pipe of ours, bind-mounted).
OUTPUT_PIPE = "/run/workbench-output"


class Sandbox:
    def __init__(self, api: DockerApi, env_id: str, container_id: str, name: str, scratch: Path) -> None:
        self._api = api
        self.env_id = env_id
        self.container_id = container_id
        self.name = name
        self.scratch = scratch
        self.holder_pid = 0
        self.cgroup = ContainerCgroup(None, None, None, None)
        self.running = False
        self.frozen = False
        self._pausing: asyncio.Task[None] | None = None

    @property
    def output_pipe(self) -> Path:
        return self.scratch / "output.pipe"

    @staticmethod
    def make_output_pipe(scratch: Path) -> Path:
        path = scratch / "output.pipe"
        scratch.mkdir(parents=True, exist_ok=True)
        if not (path.exists() and stat.S_ISFIFO(path.stat().st_mode)):
            os.mkfifo(path, 0o622)
        return path

    def open_output(self) -> tuple[int, int]:
        """Open the pipe's read end, and a write end too, held by us, so the reader never sees end-of-file
        while a runtime starts or restarts; a runtime's exit is learnt from its launcher instead.
        Returns (reader, keeper); the caller closes both."""
        reader = os.open(self.output_pipe, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        keeper = os.open(self.output_pipe, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        return reader, keeper

    async def start(self) -> None:
        self.holder_pid = await self._api.start_container(self.container_id)
        self.cgroup = ContainerCgroup.of_process(self.holder_pid)
        self.running = True
        self.frozen = False

    # -- freezing ---------------------------------------------------------------------------------------
    def freeze(self) -> None:
        if self.frozen or not self.running:
            return
        self.frozen = True
        if self.cgroup.can_freeze:
            self.cgroup.set_frozen(True)
        else:
            self._pausing = asyncio.get_running_loop().create_task(self._api.pause(self.container_id))

    async def thaw(self) -> None:
        if not self.frozen:
            return
        self.frozen = False
        pausing, self._pausing = self._pausing, None
        if pausing is not None:
            try:
                await pausing
            except Exception as exc:  # a failed pause leaves it running: nothing to undo
                log.debug("pause of %s failed: %s", self.name, exc)
                return
            await self._api.unpause(self.container_id)
        else:
            with contextlib.suppress(OSError):
                self.cgroup.set_frozen(False)

    # -- killing ----------------------------------------------------------------------------------------
    async def kill_runtime(self) -> None:
        """SIGKILL every process but the launcher (PID 1, which `kill -1` spares too): the runtime, its
        children and anything it orphaned."""
        await self.thaw()
        if not self.running:
            return
        if self.cgroup.kill_all_but(self.holder_pid):
            return
        exec_id = await self._api.create_exec(self.container_id, ["/bin/sh", "-c", "kill -KILL -1"], "", "/")
        await self._api.start_exec(exec_id)

    def kill_orphans(self) -> None:
        """After a runtime exits, what it left running goes too (as in the process backend)."""
        if self.running and not self.frozen:
            self.cgroup.kill_all_but(self.holder_pid)

    async def remove(self) -> None:
        # A frozen cgroup v1 task cannot die: thaw first, or the removal waits for ever.
        await self.thaw()
        self.running = False
        await self._api.remove_container(self.container_id)
