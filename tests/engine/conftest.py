"""Engine tests look at runtime processes from the host (their pids, their SIGSTOP state in /proc), which the
process backend's sandbox hides behind a PID namespace. They run unsandboxed; the sandbox itself is covered
by tests/security and by the behaviour suite, which runs every case in both modes."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_SANDBOX", "off")
