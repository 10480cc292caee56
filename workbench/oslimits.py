"""Process-wide settings: the limits the workbench raises for itself at start, and the signals that stop it."""

from __future__ import annotations

import contextlib
import resource
import signal

#: Closing the terminal (SIGHUP) and Ctrl+\\ (SIGQUIT) stop the workbench as cleanly as Ctrl+C and SIGTERM: the
#: environments are stopped and the state saved, rather than runtimes left behind.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def raise_open_file_limit() -> int:
    """Raise the soft limit on open files to the hard one and return it. Every execution environment holds
    a few descriptors (its output pipe, its pidfd, its Runtime API sockets), so the common soft limit of
    1,024 runs out near 250 environments while the hard limit is usually far higher."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        with contextlib.suppress(ValueError, OSError):
            # An unlimited hard limit cannot be the soft one on Linux (nr_open caps it): try a large value.
            target = hard if hard != resource.RLIM_INFINITY else 1024 * 1024
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
