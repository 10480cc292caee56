"""How runtime processes are scheduled against the engine: as batch work (SCHED_BATCH).

Every invocation wakes a runtime twice (the event, the next `next`'s answer), and the kernel's default is
to let a task it wakes preempt the task that woke it. On a machine with fewer cores than busy environments,
that means the engine's event loop is descheduled in the middle of a `send` every time it hands a runtime
its event, and gets the core back only after the runtime has run (measured: a quarter of the loop's wall
time was spent inside `socket.send`). A SCHED_BATCH task never preempts on wake-up: it runs on an idle core
at once, or when the loop next waits, so the loop finishes its round of work first. The runtime's share of
the CPU is unchanged (same nice level, same fair scheduler), and so is anything a function can observe.

Children inherit the policy of the thread that forks them, so the launching thread takes it for the length
of the fork and gives it back: no window in which the child runs with the default policy, whatever threads
or processes it starts (bwrap's children, the JVM's threads). WORKBENCH_RUNTIME_SCHEDULING=normal keeps the
default policy (to compare, or on a system where it matters).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

log = logging.getLogger(__name__)

_BATCH = getattr(os, "SCHED_BATCH", None)


@contextlib.contextmanager
def children_as_batch() -> Iterator[None]:
    """Processes forked by this thread inside the block run as SCHED_BATCH (where the system has it)."""
    if _BATCH is None or os.environ.get("WORKBENCH_RUNTIME_SCHEDULING") == "normal":
        yield
        return
    try:
        previous = os.sched_getscheduler(0)
        parameters = os.sched_getparam(0)
        os.sched_setscheduler(0, _BATCH, os.sched_param(0))
    except OSError as exc:   # a policy this thread may not leave or take (seccomp, a real-time parent, ...)
        log.debug("runtime processes keep the default scheduling policy: %s", exc)
        yield
        return
    try:
        yield
    finally:
        os.sched_setscheduler(0, previous, parameters)
