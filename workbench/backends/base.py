"""The backend interface. Environments differ between backends only in how the runtime process lives;
both talk to the same Runtime API over loopback."""

from __future__ import annotations

import errno
import resource
import signal
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from workbench.model.runtimes import RuntimeInfo

#: Where our runtime bootstraps live, shipped inside the package.
RUNTIMES_DIR = Path(__file__).resolve().parent.parent / "runtimes"

OutputSink = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class LaunchSpec:
    """Everything a backend needs to start one execution environment's runtime process."""

    env_id: str
    function: str
    version: str
    runtime: RuntimeInfo
    handler: str
    code_dir: Path                 # immutable snapshot of the deployment package
    layer_dirs: tuple[Path, ...]   # immutable extracted layers, in order (later ones win)
    #: Lambda's variables (platform, unreserved defaults and the customer's), minus the ones that name
    #: paths or addresses: the backend adds LAMBDA_TASK_ROOT, AWS_LAMBDA_RUNTIME_API, PATH, ...
    variables: Mapping[str, str]
    runtime_api: str               # host:port of this environment's Runtime API endpoint
    memory_mb: int
    ephemeral_storage_mb: int
    scratch_dir: Path              # a private folder for this environment (working copies, /tmp, /opt)
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Descriptors the runtime inherits (a SnapStart snapshot's control socket); named in `variables`.
    pass_fds: tuple[int, ...] = ()


_SIGNAL_NAMES = {
    signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault", signal.SIGABRT: "aborted",
    signal.SIGTERM: "terminated", signal.SIGINT: "interrupt", signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating point exception", signal.SIGILL: "illegal instruction",
    signal.SIGPIPE: "broken pipe", signal.SIGQUIT: "quit", signal.SIGHUP: "hangup",
}


@dataclass(frozen=True, slots=True)
class ExitInfo:
    """How a runtime process ended. ``oom`` when it was killed for exceeding its memory size."""

    code: int | None = None
    signal: int | None = None
    oom: bool = False

    def describe(self) -> str:
        """The status part of `Runtime exited with error: <status>`, worded like Go's ProcessState."""
        if self.signal is not None:
            return "signal: " + _SIGNAL_NAMES.get(signal.Signals(self.signal), f"signal {self.signal}")
        return f"exit status {self.code}"

    @property
    def clean(self) -> bool:
        return self.signal is None and self.code == 0


class LaunchError(Exception):
    """The runtime could not be started. ``error_type`` is the Lambda error (Runtime.InvalidEntrypoint...)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


def launch_error(exc: OSError, doing: str) -> LaunchError:
    """The LaunchError for an OSError met while starting an environment. Running out of descriptors or
    processes is the machine's limit, not a bad entry point: say so, and which limit to raise."""
    if exc.errno in (errno.EMFILE, errno.ENFILE):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        return LaunchError("Runtime.ResourceExhausted",
                           f"the workbench is out of file descriptors (limit {soft}, hard limit {hard}) and could "
                           f"not {doing}: stop some execution environments or raise the limit (ulimit -n)")
    if exc.errno == errno.EAGAIN:
        return LaunchError("Runtime.ResourceExhausted",
                           f"this machine refused another process and the workbench could not {doing}: stop some "
                           "execution environments or raise the process limit (ulimit -u)")
    return LaunchError("Runtime.InvalidEntrypoint", f"{doing}: {exc.strerror}")


class BackendError(Exception):
    """The backend itself is unusable (no Docker engine, no runtime image, ...): a message for the user."""


class RuntimeHandle(ABC):
    """A running runtime process inside one execution environment."""

    @abstractmethod
    def freeze(self) -> None:
        """Pause every process of the environment (between invocations). Must not block: a backend whose
        pause is slow finishes it in the background, and `thaw` waits for it."""

    @abstractmethod
    async def thaw(self) -> None:
        """Resume after `freeze`."""

    @abstractmethod
    async def kill(self) -> None:
        """Stop it at once (timeouts, crashes, shutdown). Returns once it is gone."""

    @abstractmethod
    def flush_output(self) -> None:
        """Deliver, now, every line the runtime has already written (so that it lands before END)."""

    @abstractmethod
    def max_memory_used_mb(self, busy_s: float | None = None) -> int:
        """Peak memory of the environment so far, in MB (the REPORT's Max Memory Used). ``busy_s``, how long
        the runtime just ran, lets a backend skip a costly measurement after a very short invocation."""

    @property
    @abstractmethod
    def alive(self) -> bool: ...


class SnapshotError(Exception):
    """Init or a before-snapshot hook failed: ``error`` is the runtime's error document."""

    def __init__(self, error: Mapping[str, object]) -> None:
        super().__init__(f"{error.get('errorType')}: {error.get('errorMessage')}")
        self.error = error


class Snapshot(ABC):
    """An initialised runtime kept for restoring execution environments from (SnapStart)."""

    @abstractmethod
    async def restore(self, spec: LaunchSpec, on_output: OutputSink,
                      on_exit: Callable[[ExitInfo], None]) -> RuntimeHandle:
        """A new environment's runtime, forked from the snapshot: it runs the after-restore hooks and then asks
        ``spec.runtime_api`` for its first event, as a freshly initialised runtime does."""

    @abstractmethod
    async def wait_ready(self, timeout_s: float) -> None:
        """Until init and the before-snapshot hooks are done. Raises SnapshotError when they failed (the
        snapshot is then closed)."""

    @abstractmethod
    async def close(self) -> None:
        """Let the snapshot go (environments restored from it keep running)."""

    @property
    @abstractmethod
    def alive(self) -> bool: ...


class Backend(ABC):
    name: str = "abstract"
    #: Something the user should know about how this backend runs functions (set by `open`), e.g. that the
    #: process backend found no sandbox. The engine publishes it once as a BackendNotice event.
    notice: str | None = None

    async def open(self) -> None:
        """Prepare (connect to an engine, clean up leftovers of a crashed session, ...)."""

    async def close(self) -> None:
        """Release everything; every environment has been killed by then."""

    async def runtime_version(self, runtime: RuntimeInfo) -> str:
        """What INIT_START reports as `Runtime Version:` for ``runtime`` on this backend."""
        return runtime.runtime_version_label

    def unsupported(self, runtime: RuntimeInfo) -> str | None:
        """Why this backend cannot run ``runtime``, or None when it can."""
        return None

    @property
    def min_freeze_delay_s(self) -> float:
        """The shortest sensible delay before freezing an idle environment. 0 when freezing is instant
        (SIGSTOP, the cgroup freezer); more when a pause costs real time (the Docker API), so that back-to-back
        invocations do not pay a pause and an unpause each."""
        return 0.0

    def supports_snapshots(self, runtime: RuntimeInfo) -> bool:
        """Whether this backend can snapshot an initialised ``runtime`` and restore environments from it
        (SnapStart). Where it cannot, SnapStart versions start as on-demand environments do."""
        return False

    async def snapshot(self, spec: LaunchSpec, on_output: OutputSink) -> Snapshot:
        """Run init and the before-snapshot hooks once, in a process that is then kept as the snapshot."""
        raise NotImplementedError(f"the {self.name} backend cannot take snapshots")

    async def retire(self, env_id: str) -> None:
        """The environment ``env_id`` is gone for good (its runtime is already killed): release what it kept
        across runtime restarts, such as its container. Runtime restarts after a reset reuse it until then."""

    @abstractmethod
    async def launch(self, spec: LaunchSpec, on_output: OutputSink,
                     on_exit: Callable[[ExitInfo], None]) -> RuntimeHandle:
        """Start the runtime process. Raises LaunchError when it cannot be started."""
