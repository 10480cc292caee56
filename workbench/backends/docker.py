"""The Docker backend: every execution environment is one container, created on a cold start and reused
while warm.

Inside the container, as on Lambda: the code read-only at /var/task, layers at /opt, our bootstraps at
/var/runtime, a writable /tmp of EphemeralStorage megabytes, a read-only root, and MemorySize as the memory
limit (the kernel's OOM kill is a Runtime.ExitError). The container shares the host's network, so the
runtime reaches its Runtime API endpoint on 127.0.0.1 and nothing leaves loopback.

The container's first process is a launcher (`docker_launcher`): runtimes are started through it, by a fork
inside the container, not by `docker exec`, which costs more than the rest of a pooled cold start.

Containers are labelled with function, version, environment and owner, and always removed: when their
environment stops, when the backend closes (also on Ctrl-C, which unwinds through the engine's close), and
at the next start for those a crashed workbench left behind. Every Docker call goes through `docker_api`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import re
import signal
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from workbench.backends.base import (
    RUNTIMES_DIR,
    Backend,
    BackendError,
    ExitInfo,
    LaunchError,
    LaunchSpec,
    OutputSink,
    RuntimeHandle,
    Snapshot,
    launch_error,
)
from workbench.backends.cgroups import thaw_container
from workbench.backends.compiled import (
    CONTAINER_DIR,
    ensure_dotnet_runtime,
    ensure_java_runtime,
    java_command,
)
from workbench.backends.docker_api import Bind, ContainerRequest, DockerApi
from workbench.backends.docker_launcher import CONTROL_DIR, LAUNCHER_COMMAND, Launcher, control_folder, prepare_control
from workbench.backends.docker_pool import (
    POOL_LABEL,
    PoolKey,
    SandboxPool,
    discard,
    fill_slot,
    make_root,
    pool_size_from_environment,
    prepare_slot,
    remove_stale_roots,
    slot_folders,
)
from workbench.backends.images import RuntimeImages, kind_of
from workbench.backends.output import LineReader
from workbench.backends.ownership import OWNER_LABEL, owner_alive, owner_token
from workbench.backends.sandbox import OUTPUT_PIPE, Sandbox
from workbench.fsutil import link_tree, remove_tree
from workbench.model.runtimes import Family, RuntimeInfo
from workbench.services.sdk import CONTAINER_ROOT as SDK_CONTAINER_ROOT
from workbench.services.sdk import installed_sdks

log = logging.getLogger(__name__)
_MIB = 1024 * 1024
_KILL_WAIT_S = 10.0


def exit_info(code: int, oom: bool) -> ExitInfo:
    """Docker and the launcher's shell report a death by signal N as exit status 128+N."""
    if code > 128 and (code - 128) in signal.valid_signals():
        return ExitInfo(signal=code - 128, oom=oom)
    return ExitInfo(code=code, oom=oom)


class DockerHandle(RuntimeHandle):
    """One runtime process, started by the launcher of its environment's container."""

    def __init__(self, sandbox: Sandbox, on_output: OutputSink, on_exit: Callable[[ExitInfo], None],
                 settled: Callable[[], None] | None = None) -> None:
        """``settled`` is called when the runtime is idle (frozen) or gone: the sandbox pool refills then."""
        self.sandbox = sandbox
        self._settled = settled
        #: The launcher's number for this runtime (set once asked for), which its exit status carries.
        self.launch = 0
        self._on_exit = on_exit
        reader_fd, self._keeper_fd = sandbox.open_output()
        self._output = LineReader(reader_fd, on_output)
        self._oom_baseline = sandbox.cgroup.oom_kills()
        self._killing = False
        self.exited: asyncio.Future[ExitInfo] = asyncio.get_running_loop().create_future()

    @property
    def alive(self) -> bool:
        return not self.exited.done()

    @property
    def frozen(self) -> bool:
        return self.sandbox.frozen

    def freeze(self) -> None:
        # Never after a kill: a process frozen before its SIGKILL lands does not die until thawed.
        if self.alive and not self._killing:
            self.sandbox.freeze()
        if self._settled is not None:
            self._settled()

    async def thaw(self) -> None:
        await self.sandbox.thaw()

    async def kill(self) -> None:
        if not self.alive:
            return
        self._killing = True
        await self.sandbox.kill_runtime()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.exited), _KILL_WAIT_S)
        if self.alive:  # the launcher never told us: do not leave the engine waiting on it
            log.warning("no exit status for the runtime of %s; treating it as killed", self.sandbox.name)
            self.finished(128 + signal.SIGKILL)

    def flush_output(self) -> None:
        self._output.flush()

    def max_memory_used_mb(self, busy_s: float | None = None) -> int:
        return max(1, math.ceil(self.sandbox.cgroup.peak_bytes() / _MIB))

    def finished(self, code: int) -> None:
        """The runtime process ended with exit status ``code`` (from its launcher, or Docker's `die`)."""
        if not self.alive:
            return
        oom = self.sandbox.cgroup.oom_kills() > self._oom_baseline
        self._output.read_available()
        self._output.close()
        os.close(self._keeper_fd)
        self.sandbox.kill_orphans()
        info = exit_info(code, oom)
        self.exited.set_result(info)
        self._on_exit(info)
        if self._settled is not None:
            self._settled()


class DockerBackend(Backend):
    name = "docker"

    def __init__(self, pool_size: int | None = None) -> None:
        """``pool_size``: pre-created sandboxes kept ready per kind (see `docker_pool`); by default
        WORKBENCH_DOCKER_POOL, else 2; 0 turns the pool off."""
        self._pool_size = pool_size_from_environment() if pool_size is None else pool_size
        self._pool: SandboxPool | None = None
        self._api: DockerApi | None = None
        self._images: RuntimeImages | None = None
        self._owner = owner_token()
        self._sandboxes: dict[str, Sandbox] = {}
        self._by_container: dict[str, Sandbox] = {}
        #: By container id: the host's end of each sandbox's launcher, and the runtime running in it.
        self._launchers: dict[str, Launcher] = {}
        self._running: dict[str, DockerHandle] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._user = f"{os.getuid()}:{os.getgid()}"
        self._sdk = installed_sdks()
        self._freezer_writable = any(os.access(path, os.W_OK) for path in ("/sys/fs/cgroup/freezer",
                                                                           "/sys/fs/cgroup/unified", "/sys/fs/cgroup"))

    @property
    def pool_size(self) -> int:
        """Pre-created sandboxes kept ready per kind (0: the pool is off)."""
        return self._pool_size

    def pooled_ready(self) -> int:
        """Pre-created sandboxes ready now, of every kind."""
        return self._pool.ready() if self._pool is not None else 0

    def pooled_taken(self) -> int:
        """Pre-created sandboxes handed to environments since the backend opened."""
        return self._pool.taken if self._pool is not None else 0

    @property
    def api(self) -> DockerApi:
        if self._api is None:
            raise BackendError("the Docker backend is not open")
        return self._api

    @property
    def images(self) -> RuntimeImages:
        if self._images is None:
            raise BackendError("the Docker backend is not open")
        return self._images

    # -- lifecycle --------------------------------------------------------------------------------------
    async def open(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._sdk = installed_sdks()
        self._api = await DockerApi.connect()
        self._images = RuntimeImages(self._api)
        await remove_leftovers(self._api)
        await self._api.watch_events({OWNER_LABEL: self._owner}, self._event_from_thread)
        await asyncio.to_thread(remove_stale_roots)
        root = await asyncio.to_thread(make_root, self._owner)
        self._pool = SandboxPool(self._pool_size, root, self._make_pooled)

    async def close(self) -> None:
        if self._api is None:
            return
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
        await asyncio.gather(*(self.retire(env_id) for env_id in list(self._sandboxes)))
        for container in await self._api.list_containers(f"{OWNER_LABEL}={self._owner}"):
            await self._api.remove_container(str(container["Id"]))
        await self._api.close()
        self._api = None
        if pool is not None:
            await asyncio.to_thread(remove_tree, pool.root)

    @property
    def min_freeze_delay_s(self) -> float:
        # The cgroup freezer is instant; `docker pause` (our fallback without write access) is not.
        return 0.0 if self._freezer_writable else 0.05

    # -- events -----------------------------------------------------------------------------------------
    def _event_from_thread(self, action: str, attributes: Mapping[str, str]) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._on_event, action, dict(attributes))

    def _on_event(self, action: str, attributes: dict[str, str]) -> None:
        if action == "die":
            container = attributes.get("id", "")
            sandbox = self._by_container.get(container)
            if sandbox is None:
                return
            sandbox.running = False
            launcher = self._launchers.pop(container, None)
            if launcher is not None:   # a restart starts a new launcher: nothing unread may reach it
                launcher.close()
            handle = self._running.pop(container, None)
            if handle is not None:  # the launcher died (someone stopped the container): so did the runtime
                handle.finished(int(attributes.get("exitCode", "137")))

    def _launcher_exit(self, container: str, launch: int, code: int) -> None:
        handle = self._running.get(container)
        if handle is not None and handle.launch == launch:
            del self._running[container]
            handle.finished(code)

    # -- SnapStart (see docker_snapshots) ---------------------------------------------------------------
    def supports_snapshots(self, runtime: RuntimeInfo) -> bool:
        return runtime.family is Family.PYTHON and kind_of(runtime) is not None

    async def snapshot(self, spec: LaunchSpec, on_output: OutputSink) -> Snapshot:
        from workbench.backends.docker_snapshots import take_snapshot  # it builds on this module

        try:
            return await take_snapshot(self, spec, on_output)
        except BackendError as exc:  # Docker failed us: the snapshot's sandbox could not be made
            raise LaunchError("Sandbox.Failure", str(exc)) from None

    # -- runtimes ---------------------------------------------------------------------------------------
    def unsupported(self, runtime: RuntimeInfo) -> str | None:
        if kind_of(runtime) is not None:
            return None
        return (f"the {runtime.name} runtime is not available in the Docker backend yet; "
                "use a provided.al2023 runtime with your own bootstrap")

    async def runtime_version(self, runtime: RuntimeInfo) -> str:
        kind = kind_of(runtime)
        if kind is None or runtime.family is Family.PROVIDED:
            return runtime.runtime_version_label
        image = await self.images.ensure(kind)
        return f"{runtime.family.value}:{image.language_version}"

    def _command(self, spec: LaunchSpec, opt: Path) -> list[str]:
        """The runtime's command line; ``opt`` is the host folder shown as /opt."""
        family = spec.runtime.family
        if family is Family.PYTHON:
            return ["python3", "/var/runtime/python/bootstrap.py"]
        if family is Family.NODEJS:
            return ["node", "/var/runtime/nodejs/bootstrap.mjs"]
        if family is Family.RUBY:
            return ["ruby", "/var/runtime/ruby/bootstrap.rb"]
        if family is Family.JAVA:
            return java_command("java", CONTAINER_DIR, spec.memory_mb)
        if family is Family.DOTNET:
            return ["mono", f"{CONTAINER_DIR}/WorkbenchBootstrap.exe"]
        # Custom runtime: look for the bootstrap on the host side, where a clear error is still possible.
        for host_path, path in ((spec.code_dir / "bootstrap", "/var/task/bootstrap"),
                                (opt / "bootstrap", "/opt/bootstrap")):
            if host_path.is_file():
                if not os.access(host_path, os.X_OK):
                    raise LaunchError("Runtime.InvalidEntrypoint",
                                      f"{path} is not executable (fork/exec {path}: permission denied)")
                return [path]
        raise LaunchError("Runtime.InvalidEntrypoint",
                          "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]")

    @staticmethod
    async def _compiled_client(runtime: RuntimeInfo) -> Path | None:
        """The host folder of the runtime client that Java and .NET need compiled (mounted at CONTAINER_DIR)."""
        if runtime.family is Family.JAVA:
            return await ensure_java_runtime()
        if runtime.family is Family.DOTNET:
            return await ensure_dotnet_runtime()
        return None

    def _environment(self, spec: LaunchSpec) -> dict[str, str]:
        """Lambda's own values (spec §1.5), with the real paths: the container looks like Lambda's."""
        node_major = spec.runtime.version if spec.runtime.family is Family.NODEJS else "20"
        env = {
            "PATH": "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
            "LD_LIBRARY_PATH": "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:"
                               "/var/task/lib:/opt/lib",
            "PYTHONPATH": ":".join(["/var/runtime/python", *self._sdk.python_path_in_container]),
            "NODE_PATH": ":".join([f"/opt/nodejs/node{node_major}/node_modules", "/opt/nodejs/node_modules",
                                   "/var/runtime/node_modules", *self._sdk.node_path_in_container]),
        }
        env.update(spec.variables)
        env.update({"LAMBDA_TASK_ROOT": "/var/task", "LAMBDA_RUNTIME_DIR": "/var/runtime",
                    "AWS_LAMBDA_RUNTIME_API": spec.runtime_api})
        return env

    def _common_binds(self, compiled: Path | None, scratch: Path) -> list[Bind]:
        """The mounts every sandbox has: our bootstraps, the output pipe, the launcher's control folder, a
        compiled runtime client, the SDKs."""
        binds = [Bind(str(RUNTIMES_DIR), "/var/runtime"), Bind(str(scratch / "output.pipe"), OUTPUT_PIPE,
                                                               read_only=False),
                 Bind(str(control_folder(scratch)), CONTROL_DIR)]
        if compiled is not None:
            binds.append(Bind(str(compiled), CONTAINER_DIR))
        if self._sdk.built:  # the AWS SDKs, read-only, below the function's code on the module paths
            binds.append(Bind(str(self._sdk.root), SDK_CONTAINER_ROOT))
        return binds

    def _register(self, sandbox: Sandbox) -> None:
        self._by_container[sandbox.container_id] = sandbox

    async def _create_sandbox(self, spec: LaunchSpec, image: str, extra_binds: Sequence[Bind] = ()) -> Sandbox:
        """``extra_binds``: more mounts (a SnapStart snapshot's control socket folder)."""
        Sandbox.make_output_pipe(spec.scratch_dir)
        prepare_control(spec.scratch_dir)
        binds = [Bind(str(spec.code_dir), "/var/task"),
                 *self._common_binds(await self._compiled_client(spec.runtime), spec.scratch_dir), *extra_binds]
        if spec.layer_dirs:
            binds.append(Bind(str(spec.scratch_dir / "opt"), "/opt"))
        name = f"workbench-{re.sub(r'[^a-zA-Z0-9_.-]', '-', spec.function)[:40]}-{spec.env_id[:12]}"
        request = ContainerRequest(
            image=image, command=LAUNCHER_COMMAND, name=name,
            labels={**spec.labels, OWNER_LABEL: self._owner}, environment=self._environment(spec),
            working_dir="/var/task", user=self._user, memory_bytes=spec.memory_mb * _MIB, binds=binds,
            tmpfs={"/tmp": f"rw,exec,size={spec.ephemeral_storage_mb}m,mode=1777"}, pids_limit=1024,
        )
        container = await self.api.create_container(request)
        sandbox = Sandbox(self.api, spec.env_id, container, name, spec.scratch_dir)
        self._sandboxes[spec.env_id] = sandbox
        self._register(sandbox)
        return sandbox

    async def _make_pooled(self, key: PoolKey, slot: Path) -> Sandbox:
        """A sandbox for the pool: created, started and frozen, with nothing of any function in it yet."""
        await asyncio.to_thread(prepare_slot, slot)
        Sandbox.make_output_pipe(slot)
        prepare_control(slot)
        task, opt = slot_folders(slot)
        compiled = Path(key.compiled_client) if key.compiled_client is not None else None
        binds = [Bind(str(task), "/var/task"), Bind(str(opt), "/opt"), *self._common_binds(compiled, slot)]
        name = f"workbench-pool-{slot.name}"
        request = ContainerRequest(
            image=key.image, command=LAUNCHER_COMMAND, name=name,
            labels={OWNER_LABEL: self._owner, POOL_LABEL: "1"}, environment={}, working_dir="/var/task",
            user=self._user, memory_bytes=key.memory_mb * _MIB, binds=binds,
            tmpfs={"/tmp": f"rw,exec,size={key.ephemeral_storage_mb}m,mode=1777"}, pids_limit=1024,
        )
        container = await self.api.create_container(request)
        sandbox = Sandbox(self.api, "", container, name, slot)
        self._register(sandbox)
        try:
            await sandbox.start()
        except BaseException:
            self._by_container.pop(container, None)
            await discard(sandbox)
            raise
        sandbox.freeze()
        return sandbox

    async def _take_pooled(self, spec: LaunchSpec, image: str) -> Sandbox | None:
        """A pre-created sandbox for this environment, filled with its code and layers; None when the pool
        has none ready (it refills) or is off."""
        if self._pool is None:
            return None
        compiled = await self._compiled_client(spec.runtime)
        key = PoolKey(image, spec.memory_mb, spec.ephemeral_storage_mb, str(compiled) if compiled else None)
        sandbox = self._pool.take(key)
        if sandbox is None:
            return None
        sandbox.env_id = spec.env_id
        self._sandboxes[spec.env_id] = sandbox   # from here on it is this environment's, retired with it
        await asyncio.to_thread(fill_slot, sandbox.scratch, spec.code_dir, spec.layer_dirs)
        return sandbox

    async def launch(self, spec: LaunchSpec, on_output: OutputSink,
                     on_exit: Callable[[ExitInfo], None]) -> RuntimeHandle:
        try:
            return await self._launch(spec, on_output, on_exit)
        except BackendError as exc:  # Docker failed us: the sandbox could not be made (spec: Sandbox.Failure)
            raise LaunchError("Sandbox.Failure", str(exc)) from None

    async def _launch(self, spec: LaunchSpec, on_output: OutputSink,
                      on_exit: Callable[[ExitInfo], None]) -> RuntimeHandle:
        kind = kind_of(spec.runtime)
        if kind is None:
            raise LaunchError("Runtime.InvalidEntrypoint", self.unsupported(spec.runtime) or spec.runtime.name)
        sandbox = self._sandboxes.get(spec.env_id)
        pooled = sandbox is not None and self._pool is not None and sandbox.scratch.parent == self._pool.root
        if sandbox is None:
            image = await self.images.ensure(kind)
            sandbox = await self._take_pooled(spec, image.reference)
            pooled = sandbox is not None
            if sandbox is None:
                if spec.layer_dirs:  # /opt must be in place before a custom runtime looks for /opt/bootstrap
                    for layer in spec.layer_dirs:
                        await asyncio.to_thread(link_tree, layer, spec.scratch_dir / "opt")
                self._command(spec, spec.scratch_dir / "opt")
                sandbox = await self._create_sandbox(spec, image.reference)
        command = self._command(spec, slot_folders(sandbox.scratch)[1] if pooled else spec.scratch_dir / "opt")
        if not sandbox.running:
            await sandbox.start()
        await sandbox.thaw()
        # A pooled container was made before its function was known: the variables come with the launch.
        return await self._start_runtime(sandbox, command, self._environment(spec) if pooled else None,
                                         on_output, on_exit)

    async def _start_runtime(self, sandbox: Sandbox, command: Sequence[str], environment: Mapping[str, str] | None,
                       on_output: OutputSink, on_exit: Callable[[ExitInfo], None]) -> DockerHandle:
        """Run ``command`` in the (running, thawed) sandbox through its launcher, with its output on the sandbox's
        pipe; ``environment`` adds variables over the container's own."""
        container = sandbox.container_id
        try:
            launcher = self._launchers.get(container)
            if launcher is None:
                launcher = self._launchers[container] = Launcher(
                    sandbox.scratch, lambda launch, code: self._launcher_exit(container, launch, code))
            handle = DockerHandle(sandbox, on_output, on_exit,
                                  settled=self._pool.refill_pending if self._pool is not None else None)
        except OSError as exc:
            raise launch_error(exc, "start the runtime") from None
        sandbox.cgroup.reset_peak()
        try:
            handle.launch = launcher.launch(command, environment or {}, OUTPUT_PIPE)
        except OSError as exc:
            handle.finished(127)
            raise launch_error(exc, "start the runtime") from None
        except LaunchError:
            handle.finished(127)
            raise
        self._running[container] = handle
        return handle

    async def retire(self, env_id: str) -> None:
        sandbox = self._sandboxes.pop(env_id, None)
        if sandbox is None:
            return
        container = sandbox.container_id
        self._by_container.pop(container, None)
        try:
            if self._pool is not None and sandbox.scratch.parent == self._pool.root:
                await discard(sandbox)   # a used sandbox never goes back to the pool
            else:
                try:
                    await sandbox.remove()
                except BackendError as exc:
                    log.warning("could not remove container %s: %s", sandbox.name, exc)
        finally:
            launcher = self._launchers.pop(container, None)
            if launcher is not None:
                launcher.close()
            handle = self._running.pop(container, None)
            if handle is not None:   # removed under a running runtime: it is killed with its container
                handle.finished(128 + signal.SIGKILL)


async def remove_leftovers(api: DockerApi) -> int:
    """Remove the containers of workbenches that are gone (crashed, killed, or from before a reboot)."""
    removed = 0
    for container in await api.list_containers(OWNER_LABEL):
        owner = (container.get("Labels") or {}).get(OWNER_LABEL, "")
        if owner_alive(owner):
            continue
        container_id = str(container["Id"])
        if container.get("State") == "running":
            info = await api.inspect_container(container_id)
            pid = int(info["State"]["Pid"]) if info else 0
            if pid:  # it may have been left frozen, and a frozen process cannot be killed
                thaw_container(pid)
        await api.remove_container(container_id)
        removed += 1
    if removed:
        log.info("removed %d container(s) left behind by a workbench that is gone", removed)
    return removed
