"""The process backend (the embedded default): one long-lived local subprocess per execution environment.

Where the machine allows it, each environment runs in a bubblewrap sandbox (see `bwrap`): the code snapshot
read-only at /var/task, the layers read-only at /opt, a private tmpfs /tmp of EphemeralStorage MB, and a PID
namespace that dies with the environment and with the workbench. Elsewhere (no bwrap, user namespaces
disabled, or WORKBENCH_SANDBOX=off) it falls back to plain subprocesses, says so once, and gives each
environment copies of its code and layers (so a function cannot change the immutable snapshot), its own /tmp
folder (TMPDIR) and a parent-death signal.

Every environment has its own process group, so freezing (SIGSTOP), thawing (SIGCONT) and killing reach the
processes the function started. Exits are noticed through a pidfd, not a watcher thread, so hundreds of idle
environments cost no threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from workbench.backends import bwrap, procfs
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
from workbench.backends.compiled import (
    CONTAINER_DIR,
    ensure_dotnet_runtime,
    ensure_java_runtime,
    java_command,
)
from workbench.backends.interpreters import InterpreterCache
from workbench.backends.orphans import ENVIRONMENT_VARIABLE, OWNER_VARIABLE, kill_marked, reap_orphans
from workbench.backends.output import LineReader
from workbench.backends.ownership import owner_token
from workbench.fsutil import escaping_links, link_tree, remove_tree
from workbench.model.runtimes import Family, RuntimeInfo
from workbench.oslimits import raise_open_file_limit
from workbench.services.sdk import installed_sdks

log = logging.getLogger(__name__)
_MIB = 1024 * 1024
#: The host tool (see `interpreters.find_tool`) that runs each of these families.
_TOOL_OF = {Family.RUBY: "ruby", Family.JAVA: "java", Family.DOTNET: "mono"}


class ProcessHandle(RuntimeHandle):
    def __init__(self, popen: subprocess.Popen[bytes] | None, output_fd: int, memory_limit_mb: int,
                 on_output: OutputSink, on_exit: Callable[[ExitInfo], None], *, sandboxed: bool = False,
                 pid: int | None = None) -> None:
        """``popen`` is the runtime's (or bwrap's) process; a runtime restored from a snapshot is no child of
        ours and comes as ``pid`` alone (see `snapshots`)."""
        self._loop = asyncio.get_running_loop()
        self._popen = popen
        self.pid = popen.pid if popen is not None else pid if pid is not None else -1
        #: In a sandbox, `pid` is bwrap's; the runtime is found below it once it has started.
        self._sandboxed = sandboxed
        self._runtime_pid: int | None = None if sandboxed else self.pid
        self._output = LineReader(output_fd, on_output)
        self._on_exit = on_exit
        self._limit_bytes = memory_limit_mb * _MIB
        self._peak_bytes = 0
        self._hwm_read_at = 0.0
        self._oom = False
        self.frozen = False
        self.exited: asyncio.Future[ExitInfo] = self._loop.create_future()
        self._pidfd: int | None = os.pidfd_open(self.pid)
        self._loop.add_reader(self._pidfd, self._reap)

    def _measured(self) -> tuple[int | None, list[int]]:
        """The runtime's pid (None while bwrap is still starting it) and the processes whose memory counts:
        the runtime and everything below it, never bwrap's own two processes."""
        tree = procfs.descendants(self.pid)
        if not self._sandboxed:
            return self.pid, tree
        if self._runtime_pid is None:
            self._runtime_pid = next((pid for pid in tree if procfs.command_name(pid) not in ("bwrap", "")), None)
        if self._runtime_pid is None or self._runtime_pid not in tree:
            return None, []
        return self._runtime_pid, tree[tree.index(self._runtime_pid):]

    @property
    def alive(self) -> bool:
        return not self.exited.done()

    # -- output -----------------------------------------------------------------------------------------
    def flush_output(self) -> None:
        self._output.flush()

    # -- lifecycle --------------------------------------------------------------------------------------
    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signum)

    def freeze(self) -> None:
        if self.alive and not self.frozen:
            self._signal_group(signal.SIGSTOP)
            self.frozen = True

    async def thaw(self) -> None:
        if self.frozen:
            self.frozen = False
            self._signal_group(signal.SIGCONT)

    async def kill(self) -> None:
        if self.alive:
            self._signal_group(signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.exited), 10)

    def _exit_status(self) -> int | None:
        """The wait status once the process has exited (None while it runs)."""
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            pid, status = self.pid, 0
        return None if pid == 0 else status

    def _reap(self) -> None:
        status = self._exit_status()
        if status is None:
            return
        self._exited(status)

    def _exited(self, status: int) -> None:
        pidfd, self._pidfd = self._pidfd, None
        if pidfd is not None:
            self._loop.remove_reader(pidfd)
            os.close(pidfd)
        # Orphans the function left behind belong to the environment too.
        self._signal_group(signal.SIGKILL)
        if os.WIFSIGNALED(status):
            info = ExitInfo(signal=os.WTERMSIG(status), oom=self._oom)
        else:
            info = ExitInfo(code=os.WEXITSTATUS(status), oom=self._oom)
        if self._popen is not None:
            self._popen.returncode = -info.signal if info.signal else info.code
        self._output.read_available()
        self._output.close()
        self.frozen = False
        self.exited.set_result(info)
        self._on_exit(info)

    # -- memory -----------------------------------------------------------------------------------------
    def sample_memory(self) -> None:
        """Track the tree's peak and kill the environment when it exceeds its MemorySize."""
        if not self.alive or self.frozen:
            return
        used = sum(procfs.rss_bytes(pid) for pid in self._measured()[1])
        if used > self._peak_bytes:
            self._peak_bytes = used
        if used > self._limit_bytes and not self._oom:
            self._oom = True
            self._signal_group(signal.SIGKILL)

    def max_memory_used_mb(self, busy_s: float | None = None) -> int:
        """The larger of the sampled peak and the kernel's high-water mark. Reading the mark costs a /proc
        read, so after an invocation shorter than a millisecond it is re-read at most every 100 ms: in so
        little time a process cannot allocate enough to matter, and the sampler keeps watching."""
        now = time.monotonic()
        if self.alive and (busy_s is None or busy_s > 0.001 or now - self._hwm_read_at > 0.1):
            runtime = self._runtime_pid if self._runtime_pid is not None else self._measured()[0]
            if runtime is not None:
                self._peak_bytes = max(self._peak_bytes, procfs.peak_rss_bytes(runtime))
            self._hwm_read_at = now
        return max(1, math.ceil(self._peak_bytes / _MIB))


class ProcessBackend(Backend):
    name = "process"

    def __init__(self, memory_poll_interval_s: float = 0.05, sandbox: str | None = None) -> None:
        """``sandbox``: "auto" (a bubblewrap sandbox where possible), "off" or "required"; by default the
        WORKBENCH_SANDBOX variable, else "auto"."""
        self._interpreters = InterpreterCache()
        self._handles: set[ProcessHandle] = set()
        self._poll_interval = memory_poll_interval_s
        self._sampler: asyncio.Task[None] | None = None
        self._sdk = installed_sdks()
        self._sandbox_mode = sandbox or bwrap.mode_from_environment()
        if self._sandbox_mode not in bwrap.MODES:
            raise ValueError(f"sandbox must be one of {', '.join(bwrap.MODES)}, not {self._sandbox_mode!r}")
        self._bwrap: str | None = None
        self._owner = owner_token()

    @property
    def min_freeze_delay_s(self) -> float:
        """A signal to an environment's process group wakes every process in it: about 0.1 ms of the loop's
        time each way on a busy machine, which is most of a warm invocation's cost when requests come back to
        back. Freezing 10 ms after the runtime parks (far below any idle timeout, and invisible to a class
        watching the environment map) keeps a busy environment thawed between its invocations."""
        return 0.01

    @property
    def sandboxed(self) -> bool:
        """Whether environments run in a sandbox (known once the backend is open)."""
        return self._bwrap is not None

    async def open(self) -> None:
        self._sdk = installed_sdks()  # built by `workbench sdk build`; looked up once per session
        raise_open_file_limit()
        reaped = await asyncio.to_thread(reap_orphans)
        if reaped:
            log.warning("killed %d runtime processes left behind by a workbench that exited without cleaning "
                        "up", len(reaped))
        if self._sandbox_mode != "off":
            try:
                self._bwrap = await asyncio.to_thread(bwrap.probe)
            except bwrap.SandboxUnavailableError as exc:
                if self._sandbox_mode == "required":
                    raise BackendError(f"no sandbox for the process backend: {exc}") from None
                self.notice = (f"Functions run without a sandbox: {exc}. They see this machine's files as you do, "
                               "and their /tmp is not limited in size.")
        else:
            self.notice = "Functions run without a sandbox (WORKBENCH_SANDBOX=off)."
        if self.notice:
            log.warning("process backend: %s", self.notice)
        self._sampler = asyncio.create_task(self._sample_memory(), name="process-backend-memory")

    async def close(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sampler
        await asyncio.gather(*(handle.kill() for handle in list(self._handles)))
        if not self.sandboxed:  # what functions started in sessions of their own (a sandbox kills it itself)
            await asyncio.to_thread(kill_marked, lambda owner, _environment: owner == self._owner)

    async def retire(self, env_id: str) -> None:
        if not self.sandboxed:
            await asyncio.to_thread(kill_marked, lambda owner, environment: owner == self._owner
                                    and environment == env_id)

    async def _sample_memory(self) -> None:
        while True:
            await asyncio.sleep(self._poll_interval)
            for handle in list(self._handles):
                handle.sample_memory()

    # -- SnapStart (see snapshots) -------------------------------------------------------------------------
    def supports_snapshots(self, runtime: RuntimeInfo) -> bool:
        return runtime.family is Family.PYTHON

    async def snapshot(self, spec: LaunchSpec, on_output: OutputSink) -> Snapshot:
        from workbench.backends import snapshots  # it builds on ProcessHandle

        mine, theirs = snapshots.control_pair()
        fd = theirs.fileno()
        try:
            handle = await self.launch(replace(spec, variables={**spec.variables, snapshots.CONTROL_VARIABLE: str(fd)},
                                               pass_fds=(fd,)), on_output, lambda _info: None)
        except BaseException:
            mine.close()
            raise
        finally:
            theirs.close()
        paths = await asyncio.to_thread(_prepare, spec, self.sandboxed)

        def environment(restored: LaunchSpec) -> dict[str, str]:
            """A restored environment's variables: its own address, stream and markers; the snapshot's files
            (in a sandbox, its /tmp too), and outside one a TMPDIR of its own."""
            tmp = paths.tmp
            if not self.sandboxed:
                tmp_dir = restored.scratch_dir / "tmp"
                tmp_dir.mkdir(parents=True, exist_ok=True)
                tmp = str(tmp_dir)
            return self._environment(restored, replace(paths, tmp=tmp))

        def track(restored: ProcessHandle) -> None:
            self._handles.add(restored)
            restored.exited.add_done_callback(lambda _: self._handles.discard(restored))

        assert isinstance(handle, ProcessHandle)
        return snapshots.ProcessSnapshot(handle, mine, environment, track)

    def unsupported(self, runtime: RuntimeInfo) -> str | None:
        return None  # every family runs (a missing language is a launch error naming it)

    async def runtime_version(self, runtime: RuntimeInfo) -> str:
        if runtime.family is Family.PYTHON:
            return f"python:{(await self._interpreters.python(runtime.version)).version}"
        if runtime.family is Family.NODEJS:
            node = await self._interpreters.node()
            return f"nodejs:{node.version}" if node else runtime.runtime_version_label
        language = _TOOL_OF.get(runtime.family)
        if language is not None:
            tool = await self._interpreters.tool(language)
            return f"{runtime.family.value}:{tool.version}" if tool else runtime.runtime_version_label
        return runtime.runtime_version_label

    async def _tool(self, runtime: RuntimeInfo) -> str:
        language = _TOOL_OF[runtime.family]
        tool = await self._interpreters.tool(language)
        if tool is None:
            raise LaunchError("Runtime.InvalidEntrypoint",
                              f"the {runtime.name} runtime needs `{language}`, which is not installed on this machine")
        return tool.executable

    async def _command(self, spec: LaunchSpec, paths: _Paths, client: str | None) -> list[str]:
        """The runtime's command line, as seen from where it runs (inside the sandbox or not). ``client`` is
        the folder of the compiled runtime client (Java, .NET), as the runtime sees it."""
        runtime = spec.runtime
        if runtime.family is Family.PYTHON:
            python = await self._interpreters.python(runtime.version)
            # -S: the bootstrap adds site-packages itself, without running every .pth hook of the host's
            # Python (which can cost tens of milliseconds per cold start). See bootstrap._prepare_paths.
            return [python.executable, "-S", f"{paths.runtimes}/python/bootstrap.py"]
        if runtime.family is Family.NODEJS:
            node = await self._interpreters.node()
            if node is None:
                raise LaunchError("Runtime.InvalidEntrypoint", "Node.js (`node`) is not installed on this machine")
            return [node.executable, f"{paths.runtimes}/nodejs/bootstrap.mjs"]
        if runtime.family is Family.RUBY:
            return [await self._tool(runtime), f"{paths.runtimes}/ruby/bootstrap.rb"]
        if runtime.family is Family.JAVA:
            return java_command(await self._tool(runtime), str(client), spec.memory_mb)
        if runtime.family is Family.DOTNET:
            return [await self._tool(runtime), f"{client}/WorkbenchBootstrap.exe"]
        if runtime.family is Family.PROVIDED:
            for host_dir, seen_dir in ((paths.host_task, paths.task), (paths.host_opt, paths.opt)):
                candidate = host_dir / "bootstrap" if host_dir is not None else None
                if candidate is not None and candidate.is_file():
                    if not os.access(candidate, os.X_OK):
                        raise LaunchError("Runtime.InvalidEntrypoint",
                                          f"bootstrap in {seen_dir} is not executable (fork/exec: permission denied)")
                    return [f"{seen_dir}/bootstrap"]
            raise LaunchError("Runtime.InvalidEntrypoint",
                              "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]")
        raise LaunchError("Runtime.InvalidEntrypoint", self.unsupported(runtime) or runtime.name)

    def _environment(self, spec: LaunchSpec, paths: _Paths) -> dict[str, str]:
        host_path = os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")
        task, opt = paths.task, paths.opt
        env = {
            "PATH": f"{opt}/bin:{host_path}",
            "LD_LIBRARY_PATH": f"{task}:{task}/lib:{opt}/lib",
            # The SDKs come after the function's code and layers (the bootstrap puts those first), as on AWS.
            "PYTHONPATH": ":".join([f"{paths.runtimes}/python", *self._sdk.python_path]),
            "NODE_PATH": ":".join([f"{opt}/nodejs/node{spec.runtime.version}/node_modules",
                                   f"{opt}/nodejs/node_modules", *self._sdk.node_path]),
        }
        env.update(spec.variables)
        env.update({
            "LAMBDA_TASK_ROOT": task,
            "LAMBDA_RUNTIME_DIR": paths.runtimes,
            "AWS_LAMBDA_RUNTIME_API": spec.runtime_api,
            "TMPDIR": paths.tmp,
            # Our bootstraps read /opt from here; in a sandbox and in containers it is the real /opt.
            "WORKBENCH_OPT_DIR": opt,
            OWNER_VARIABLE: self._owner,
            ENVIRONMENT_VARIABLE: spec.env_id,
        })
        return env

    async def launch(self, spec: LaunchSpec, on_output: OutputSink,
                     on_exit: Callable[[ExitInfo], None]) -> RuntimeHandle:
        # Copying or merging a package of thousands of files takes a while: never on the event loop.
        try:
            paths = await asyncio.to_thread(_prepare, spec, self.sandboxed)
        except OSError as exc:
            raise launch_error(exc, "prepare the environment's files") from None
        # Java's and .NET's runtime clients are compiled once into the workbench's cache; in a sandbox that
        # folder is shown read-only where Lambda keeps language runtimes (/var/lang), as in containers.
        client = await _compiled_client(spec.runtime)
        seen_client = None if client is None else CONTAINER_DIR if self.sandboxed else str(client)
        command = await self._command(spec, paths, seen_client)
        if self._bwrap is not None:
            # The interpreter's folders, and the workbench's own Python (a custom bootstrap may start it).
            interpreters = [sys.executable]
            if not command[0].startswith((bwrap.TASK_ROOT + "/", bwrap.OPT_ROOT + "/")):
                interpreters.append(command[0])
            # The SDKs (boto3, the JS SDK v3) are read-only folders on the runtime's search path, as on AWS.
            sdk_dirs = tuple(dict.fromkeys((*self._sdk.python_path, *self._sdk.node_path)))
            layout = bwrap.SandboxLayout(spec.code_dir, paths.host_opt, RUNTIMES_DIR, spec.ephemeral_storage_mb,
                                         bwrap.host_dirs_for(interpreters) + sdk_dirs, client)
            command = bwrap.command(self._bwrap, layout, command)
            cwd = None
        else:
            # The runtime dies with the workbench (its parent-death signal); what it starts is reaped at the
            # next start (see orphans). setpriv execs the runtime at once.
            command = ["setpriv", "--pdeathsig", "KILL", "--", *command] if _SETPRIV else command
            cwd = paths.task
        try:
            read_fd, write_fd = os.pipe2(os.O_CLOEXEC)
        except OSError as exc:
            raise launch_error(exc, "open the runtime's output pipe") from None
        try:
            # Popen is a fork+exec (vfork where possible): about a millisecond on the loop, no more. It must run
            # on the loop's thread: a parent-death signal fires when the thread that started the child ends.
            popen = subprocess.Popen(  # noqa: ASYNC220
                command, stdin=subprocess.DEVNULL, stdout=write_fd, stderr=write_fd, cwd=cwd,
                env=self._environment(spec, paths), start_new_session=True, close_fds=True, pass_fds=spec.pass_fds,
            )
        except OSError as exc:
            os.close(read_fd)
            raise launch_error(exc, f"fork/exec {command[0]}") from None
        finally:
            os.close(write_fd)

        def exited(info: ExitInfo) -> None:
            self._handles.discard(handle)
            on_exit(info)

        try:
            handle = ProcessHandle(popen, read_fd, spec.memory_mb, on_output, exited, sandboxed=self.sandboxed)
        except OSError as exc:
            os.close(read_fd)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGKILL)
            popen.wait()
            raise launch_error(exc, "watch the runtime") from None
        self._handles.add(handle)
        return handle


_SETPRIV = shutil.which("setpriv") is not None


async def _compiled_client(runtime: RuntimeInfo) -> Path | None:
    """The cache folder of the compiled runtime client that Java and .NET run (built once, offline)."""
    if runtime.family is Family.JAVA:
        return await ensure_java_runtime()
    if runtime.family is Family.DOTNET:
        return await ensure_dotnet_runtime()
    return None


@dataclass(frozen=True, slots=True)
class _Paths:
    """Where one environment's folders are as the runtime sees them (`task`, `opt`, `tmp`, `runtimes`), and
    the host folders behind /var/task and /opt."""

    task: str
    opt: str
    tmp: str
    runtimes: str
    host_task: Path
    host_opt: Path | None


def _prepare(spec: LaunchSpec, sandboxed: bool) -> _Paths:
    """The environment's files (blocking; run off the loop). A restarted runtime keeps them, and /tmp with
    them outside a sandbox."""
    opt_dir = spec.scratch_dir / "opt"
    if sandboxed:
        # The snapshots are bound read-only as they are; only several layers need a merged tree, and hard
        # links are safe in it because the mount is read-only.
        host_opt: Path | None = spec.layer_dirs[0] if len(spec.layer_dirs) == 1 else None
        if len(spec.layer_dirs) > 1:
            if not opt_dir.exists():
                _merge(spec.layer_dirs, opt_dir, hard_links=True)
            host_opt = opt_dir
        return _Paths(bwrap.TASK_ROOT, bwrap.OPT_ROOT, "/tmp", bwrap.RUNTIME_ROOT, spec.code_dir, host_opt)
    task_dir, tmp_dir = spec.scratch_dir / "task", spec.scratch_dir / "tmp"
    if not task_dir.exists():
        # Copies, not hard links: a function that writes to (or chmods) its own files must not change the
        # snapshot that every later environment and published version runs.
        staging = spec.scratch_dir / ".task"
        remove_tree(staging)
        link_tree(spec.code_dir, staging, hard_links=False, read_only=True)
        staging.rename(task_dir)
        remove_tree(opt_dir)
        _merge(spec.layer_dirs, opt_dir, hard_links=False)
        tmp_dir.mkdir(parents=True, exist_ok=True)
    return _Paths(str(task_dir), str(opt_dir), str(tmp_dir), str(RUNTIMES_DIR), task_dir, opt_dir)


def _merge(layers: tuple[Path, ...], opt_dir: Path, *, hard_links: bool) -> None:
    """Layers into one /opt, later ones winning. Each layer's links stay inside that layer, but two layers
    together can still make a way out (one's `s -> .` under another's `s/q/../..`): such links are removed."""
    links: list[str] = []
    opt_dir.mkdir(parents=True, exist_ok=True)
    for layer in layers:
        link_tree(layer, opt_dir, hard_links=hard_links, read_only=not hard_links, links=links)
    for link in escaping_links(opt_dir, [link for link in dict.fromkeys(links) if (opt_dir / link).is_symlink()]):
        log.warning("layers: removed the link /opt/%s, which together with another layer points outside /opt", link)
        (opt_dir / link).unlink()
