"""The process backend (the embedded default): one long-lived local subprocess per execution environment.

Each environment gets a working copy of the code (hard links into an immutable snapshot), its own /tmp
(TMPDIR), its own /opt built from the layers, and its own process group, so freezing (SIGSTOP), thawing
(SIGCONT) and killing reach every process the function started. Exits are noticed through a pidfd, not
a watcher thread, so hundreds of idle environments cost no threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from workbench.backends import procfs
from workbench.backends.base import (
    RUNTIMES_DIR,
    Backend,
    ExitInfo,
    LaunchError,
    LaunchSpec,
    OutputSink,
    RuntimeHandle,
)
from workbench.backends.compiled import dotnet_unavailable, ensure_dotnet_runtime, ensure_java_runtime, java_command
from workbench.backends.interpreters import InterpreterCache
from workbench.backends.output import LineReader
from workbench.fsutil import link_tree
from workbench.model.runtimes import Family, RuntimeInfo

log = logging.getLogger(__name__)
_MIB = 1024 * 1024
#: The host tool (see `interpreters.find_tool`) that runs each of these families.
_TOOL_OF = {Family.RUBY: "ruby", Family.JAVA: "java", Family.DOTNET: "mono"}


class ProcessHandle(RuntimeHandle):
    def __init__(self, popen: subprocess.Popen[bytes], output_fd: int, memory_limit_mb: int,
                 on_output: OutputSink, on_exit: Callable[[ExitInfo], None]) -> None:
        self._loop = asyncio.get_running_loop()
        self._popen = popen
        self.pid = popen.pid
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

    def _reap(self) -> None:
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            pid, status = self.pid, 0
        if pid == 0:
            return
        pidfd, self._pidfd = self._pidfd, None
        if pidfd is not None:
            self._loop.remove_reader(pidfd)
            os.close(pidfd)
        # Orphans the function left behind belong to the environment too.
        self._signal_group(signal.SIGKILL)
        if os.WIFSIGNALED(status):
            info = ExitInfo(signal=os.WTERMSIG(status), oom=self._oom)
            self._popen.returncode = -info.signal if info.signal else 0
        else:
            info = ExitInfo(code=os.WEXITSTATUS(status), oom=self._oom)
            self._popen.returncode = info.code
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
        used = procfs.tree_rss_bytes(self.pid)
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
            self._peak_bytes = max(self._peak_bytes, procfs.peak_rss_bytes(self.pid))
            self._hwm_read_at = now
        return max(1, math.ceil(self._peak_bytes / _MIB))


class ProcessBackend(Backend):
    name = "process"

    def __init__(self, memory_poll_interval_s: float = 0.05) -> None:
        self._interpreters = InterpreterCache()
        self._handles: set[ProcessHandle] = set()
        self._poll_interval = memory_poll_interval_s
        self._sampler: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self._sampler = asyncio.create_task(self._sample_memory(), name="process-backend-memory")

    async def close(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sampler
        await asyncio.gather(*(handle.kill() for handle in list(self._handles)))

    async def _sample_memory(self) -> None:
        while True:
            await asyncio.sleep(self._poll_interval)
            for handle in list(self._handles):
                handle.sample_memory()

    def unsupported(self, runtime: RuntimeInfo) -> str | None:
        return dotnet_unavailable(runtime)  # the others run (a missing language is a launch error naming it)

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

    async def _command(self, spec: LaunchSpec, task_dir: Path, opt_dir: Path) -> list[str]:
        runtime = spec.runtime
        if runtime.family is Family.PYTHON:
            python = await self._interpreters.python(runtime.version)
            # -S: the bootstrap adds site-packages itself, without running every .pth hook of the host's
            # Python (which can cost tens of milliseconds per cold start). See bootstrap._prepare_paths.
            return [python.executable, "-S", str(RUNTIMES_DIR / "python" / "bootstrap.py")]
        if runtime.family is Family.NODEJS:
            node = await self._interpreters.node()
            if node is None:
                raise LaunchError("Runtime.InvalidEntrypoint", "Node.js (`node`) is not installed on this machine")
            return [node.executable, str(RUNTIMES_DIR / "nodejs" / "bootstrap.mjs")]
        if runtime.family is Family.RUBY:
            return [await self._tool(runtime), str(RUNTIMES_DIR / "ruby" / "bootstrap.rb")]
        if runtime.family is Family.JAVA:
            return java_command(await self._tool(runtime), str(await ensure_java_runtime()), spec.memory_mb)
        if runtime.family is Family.DOTNET:
            return [await self._tool(runtime), str(await ensure_dotnet_runtime() / "WorkbenchBootstrap.exe")]
        if runtime.family is Family.PROVIDED:
            candidates = [task_dir / "bootstrap", opt_dir / "bootstrap"]
            for candidate in candidates:
                if candidate.is_file():
                    if not os.access(candidate, os.X_OK):
                        raise LaunchError("Runtime.InvalidEntrypoint",
                                          f"{candidate.name} in {candidate.parent.name} is not executable "
                                          "(fork/exec: permission denied)")
                    return [str(candidate)]
            raise LaunchError("Runtime.InvalidEntrypoint",
                              "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]")
        raise LaunchError("Runtime.InvalidEntrypoint", self.unsupported(runtime) or runtime.name)

    def _environment(self, spec: LaunchSpec, task_dir: Path, opt_dir: Path, tmp_dir: Path) -> dict[str, str]:
        host_path = os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")
        env = {
            "PATH": f"{opt_dir}/bin:{host_path}",
            "LD_LIBRARY_PATH": f"{task_dir}:{task_dir}/lib:{opt_dir}/lib",
            "PYTHONPATH": str(RUNTIMES_DIR / "python"),
            "NODE_PATH": f"{opt_dir}/nodejs/node{spec.runtime.version}/node_modules:{opt_dir}/nodejs/node_modules",
        }
        env.update(spec.variables)
        env.update({
            "LAMBDA_TASK_ROOT": str(task_dir),
            "LAMBDA_RUNTIME_DIR": str(RUNTIMES_DIR),
            "AWS_LAMBDA_RUNTIME_API": spec.runtime_api,
            "TMPDIR": str(tmp_dir),
            # Our bootstraps read /opt from here; in containers it is the real /opt.
            "WORKBENCH_OPT_DIR": str(opt_dir),
        })
        return env

    async def launch(self, spec: LaunchSpec, on_output: OutputSink,
                     on_exit: Callable[[ExitInfo], None]) -> RuntimeHandle:
        task_dir, opt_dir, tmp_dir = spec.scratch_dir / "task", spec.scratch_dir / "opt", spec.scratch_dir / "tmp"
        if not task_dir.exists():  # a restarted runtime keeps its environment's files and /tmp
            link_tree(spec.code_dir, task_dir)
            opt_dir.mkdir(parents=True, exist_ok=True)
            for layer in spec.layer_dirs:
                link_tree(layer, opt_dir)
            tmp_dir.mkdir(parents=True, exist_ok=True)
        command = await self._command(spec, task_dir, opt_dir)
        read_fd, write_fd = os.pipe2(os.O_CLOEXEC)
        try:
            # Popen is a fork+exec (vfork where possible): about a millisecond on the loop, no more.
            popen = subprocess.Popen(  # noqa: ASYNC220
                command, stdin=subprocess.DEVNULL, stdout=write_fd, stderr=write_fd, cwd=task_dir,
                env=self._environment(spec, task_dir, opt_dir, tmp_dir), start_new_session=True, close_fds=True,
            )
        except OSError as exc:
            os.close(read_fd)
            raise LaunchError("Runtime.InvalidEntrypoint", f"fork/exec {command[0]}: {exc.strerror}") from None
        finally:
            os.close(write_fd)

        def exited(info: ExitInfo) -> None:
            self._handles.discard(handle)
            on_exit(info)

        handle = ProcessHandle(popen, read_fd, spec.memory_mb, on_output, exited)
        self._handles.add(handle)
        return handle
