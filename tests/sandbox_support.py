"""Whether the process backend's sandbox (bubblewrap) works here, decided once per test session.

In CI (CI=true) or with WORKBENCH_REQUIRE_SANDBOX=1 a missing sandbox is a failure (CI installs bubblewrap);
elsewhere the sandboxed tests skip and say how to enable them.
"""

from __future__ import annotations

import functools
import os

import pytest

from workbench.backends import bwrap

HOW_TO_ENABLE = ("to run them: install bubblewrap (Debian: `apt-get install bubblewrap`) on a kernel that allows "
                 "user namespaces; set WORKBENCH_REQUIRE_SANDBOX=1 to make this a failure instead of a skip")


@functools.cache
def _problem() -> str | None:
    try:
        bwrap.probe()
    except bwrap.SandboxUnavailableError as exc:
        return str(exc)
    return None


def require_sandbox() -> None:
    problem = _problem()
    if problem is None:
        return
    required = (os.environ.get("CI", "").lower() in ("1", "true", "yes")
                or os.environ.get("WORKBENCH_REQUIRE_SANDBOX") == "1")
    if required:
        pytest.fail(f"the sandbox is required here but unavailable: {problem}")
    pytest.skip(f"no sandbox: {problem}; {HOW_TO_ENABLE}")
