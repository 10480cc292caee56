"""Pre-created sandboxes for the Docker backend: Lambda keeps execution environments' sandboxes ready before a
request needs one, so a cold start pays for the runtime's start and the function's init, not for a container.

A pooled container is created and started for what cannot change once a container exists (its image, memory
limit, /tmp size and read-only mounts), then frozen. Nothing of a function is in it yet: its /var/task and
/opt are bind mounts of an empty slot folder, and the function's variables come with the runtime's launch
(see `docker_launcher`). Taking one fills the slot with the function's code (hard links, shown read-only)
and layers, thaws it, and hands it to exactly one environment: it leaves the pool before anything is
awaited, so two environments can never get the same container, and it is removed when that environment
stops (never returned to the pool: a used sandbox is not a clean one).

The pool refills behind a taken sandbox, but not at once: making a container keeps dockerd and runc busy
for about a core's worth of 100 ms, and on a small machine that comes straight out of the cold start that
took the sandbox (measured on 2 cores: 73 ms with an immediate refill, 33 ms without). So a take marks its
kind for refilling, and the backend calls `refill_pending` when a runtime settles (its first freeze, after
its first invocation, or its exit); REFILL_DELAY_S is the latest a refill waits.

Every pooled container carries the workbench's owner label and the pool label: the backend removes them when
it closes, and the reaper (`docker.remove_leftovers`) removes those of a workbench that died. Size 0 turns
the pool off (WORKBENCH_DOCKER_POOL, default 2 per kind of sandbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.backends.base import BackendError
from workbench.backends.ownership import owner_alive
from workbench.backends.sandbox import Sandbox
from workbench.fsutil import link_tree, remove_tree

log = logging.getLogger(__name__)

#: The label every pooled container carries (besides the owner's).
POOL_LABEL = "workbench.pool"
#: Containers kept ready per kind of sandbox; 0 turns the pool off.
POOL_SIZE_VARIABLE = "WORKBENCH_DOCKER_POOL"
DEFAULT_POOL_SIZE = 2
#: The longest a refill waits for the cold start that emptied a place in the pool to settle.
REFILL_DELAY_S = 1.0


def pool_size_from_environment() -> int:
    text = os.environ.get(POOL_SIZE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_POOL_SIZE
    if not text.isdigit():
        raise ValueError(f"{POOL_SIZE_VARIABLE} must be a whole number of containers (0 turns the pool off), "
                         f"not {text!r}")
    return int(text)


@dataclass(frozen=True, slots=True)
class PoolKey:
    """What a container fixes when it is created: sandboxes are interchangeable only when all of it matches."""

    image: str
    memory_mb: int
    ephemeral_storage_mb: int
    compiled_client: str | None   # the host folder of Java's or .NET's runtime client, mounted read-only


#: Creates, starts and freezes one container for a key in the given slot folder.
Maker = Callable[[PoolKey, Path], Awaitable[Sandbox]]


class SandboxPool:
    def __init__(self, size: int, root: Path, make: Maker) -> None:
        self.size = size
        #: The folder of the slots (one per pooled container).
        self.root = root
        self._make = make
        self._ready: dict[PoolKey, list[Sandbox]] = {}
        self._filling: dict[PoolKey, asyncio.Task[None]] = {}
        self._pending: dict[PoolKey, asyncio.TimerHandle] = {}
        self._closed = False
        #: Sandboxes handed to environments so far.
        self.taken = 0

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def enabled(self) -> bool:
        return self.size > 0

    def ready(self, key: PoolKey | None = None) -> int:
        """Sandboxes ready for ``key`` (for every key when None)."""
        if key is None:
            return sum(len(ready) for ready in self._ready.values())
        return len(self._ready.get(key, ()))

    def take(self, key: PoolKey) -> Sandbox | None:
        """A ready sandbox of ``key``, now ours alone (None when there is none). The pool refills behind it
        once the cold start that asked has settled (`refill_pending`), or after REFILL_DELAY_S."""
        if not self.enabled or self._closed:
            return None
        ready = self._ready.setdefault(key, [])
        sandbox = ready.pop() if ready else None
        if sandbox is not None:
            self.taken += 1
        if key not in self._pending:
            self._refill_later(key)
        return sandbox

    def _refill_later(self, key: PoolKey) -> None:
        self._pending[key] = asyncio.get_running_loop().call_later(REFILL_DELAY_S, self.fill, key)

    def refill_pending(self) -> None:
        """A runtime has settled (it is idle or gone): refill the kinds taken from since the last refill."""
        for key in list(self._pending):
            self.fill(key)

    def fill(self, key: PoolKey) -> None:
        """Top ``key``'s sandboxes up to the pool's size, in the background (one filler per key)."""
        timer = self._pending.pop(key, None)
        if timer is not None:
            timer.cancel()
        if not self.enabled or self._closed:
            return
        if key in self._filling:   # it may be past its last look at the count: look again later
            self._refill_later(key)
            return
        task = asyncio.get_running_loop().create_task(self._fill(key), name=f"sandbox-pool-{key.image}")
        self._filling[key] = task
        task.add_done_callback(lambda _: self._filling.pop(key, None))

    async def _fill(self, key: PoolKey) -> None:
        ready = self._ready.setdefault(key, [])
        while not self._closed and len(ready) < self.size:
            slot = self.root / uuid.uuid4().hex[:16]
            try:
                sandbox = await self._make(key, slot)
            except (BackendError, OSError) as exc:
                log.warning("could not pre-create a sandbox (%s): %s", key.image, exc)
                await asyncio.to_thread(remove_tree, slot)
                return
            if self.closed:   # closed while this one was being made
                await discard(sandbox)
                return
            ready.append(sandbox)

    async def close(self) -> None:
        """Remove every ready container (those handed out belong to their environments)."""
        self._closed = True
        for timer in self._pending.values():
            timer.cancel()
        self._pending.clear()
        for task in list(self._filling.values()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        sandboxes = [sandbox for ready in self._ready.values() for sandbox in ready]
        self._ready.clear()
        await asyncio.gather(*(discard(sandbox) for sandbox in sandboxes))


#: The name of a pool's folder of slots (in the temporary folder), and the file in it naming its workbench.
ROOT_PREFIX = "workbench-sandbox-pool-"
_OWNER_FILE = "owner"


def make_root(owner: str) -> Path:
    """A new folder for a pool's slots, marked with its workbench's owner token (blocking)."""
    root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX))
    (root / _OWNER_FILE).write_text(owner)
    return root


def remove_stale_roots(parent: Path | None = None) -> int:
    """Remove the slot folders of workbenches that are gone (a crash skips `close`); their containers went
    first (`docker.remove_leftovers`). Folders without an owner file are left alone (blocking)."""
    removed = 0
    for root in Path(parent or tempfile.gettempdir()).glob(f"{ROOT_PREFIX}*"):
        try:
            owner = (root / _OWNER_FILE).read_text().strip()
        except OSError:
            continue
        if not owner_alive(owner):
            remove_tree(root)
            removed += 1
    return removed


def slot_folders(slot: Path) -> tuple[Path, Path]:
    """The folders of a slot that become /var/task and /opt in its container."""
    return slot / "task", slot / "opt"


def prepare_slot(slot: Path) -> None:
    """A new slot: empty /var/task and /opt folders (blocking)."""
    for folder in slot_folders(slot):
        folder.mkdir(parents=True, exist_ok=True)


def fill_slot(slot: Path, code_dir: Path, layer_dirs: tuple[Path, ...]) -> None:
    """Put a function's code and layers where a taken sandbox shows them (blocking: run off the loop). Hard
    links where the file system allows, as the mounts are read-only."""
    task, opt = slot_folders(slot)
    link_tree(code_dir, task, hard_links=True, read_only=True)
    for layer in layer_dirs:
        link_tree(layer, opt, hard_links=True, read_only=True)


async def discard(sandbox: Sandbox) -> None:
    """Remove a pooled container and its slot folder."""
    try:
        await sandbox.remove()
    except BackendError as exc:
        log.warning("could not remove pooled container %s: %s", sandbox.name, exc)
    await asyncio.to_thread(remove_tree, sandbox.scratch)
