"""Ctrl+C on `workbench serve` with a long invocation in flight (issue 19, item 11): the server says what it waits
for, waits at most its grace period, and a second Ctrl+C stops it at once, without a traceback."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import ROLE, lambda_client, make_zip

SLOW = """
import pathlib, time
def handler(event, context):
    pathlib.Path(event["marker"]).write_text("started")
    time.sleep(300)
"""


class Serve:
    """`workbench serve` in a process of its own, its stderr collected line by line."""

    def __init__(self, folder: Path) -> None:
        # Unsandboxed: the function signals that it runs by writing a file the test can see, and a sandboxed
        # function's /tmp is its own. (Shutdown is what is tested here; tests/security covers the sandbox.)
        self.process = subprocess.Popen([sys.executable, "-m", "workbench", "serve", "--project", str(folder)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, "WORKBENCH_SANDBOX": "off"})
        assert self.process.stdout is not None and self.process.stderr is not None
        line = self.process.stdout.readline()
        assert "Lambda API at " in line, line + self.process.stderr.read()
        self.url = line.split("Lambda API at ")[1].split()[0]
        self.errors: list[str] = []
        self.changed = threading.Condition()  # before the reader starts: it notifies through it
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self.changed:
                self.errors.append(line)
                self.changed.notify_all()

    def close(self) -> None:
        self._reader.join(30)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def wait_for_line(self, text: str, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: any(text in line for line in self.errors), timeout)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    running = Serve(tmp_path)
    yield running
    if running.process.poll() is None:
        running.process.kill()
    running.process.wait(30)
    running.close()


def _start_slow_invocation(serve: Serve, tmp_path: Path) -> tuple[threading.Thread, Any]:
    client = lambda_client(serve.url, read_timeout=600)
    client.create_function(FunctionName="slow", Runtime="python3.11", Role=ROLE, Handler="app.handler", Timeout=900,
                           Code={"ZipFile": make_zip({"app.py": SLOW})})
    marker = tmp_path / "started"

    def call() -> None:
        # the server goes away under it: what the client sees is not the point here
        with contextlib.suppress(Exception):
            client.invoke(FunctionName="slow", Payload=f'{{"marker": "{marker}"}}'.encode())

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    deadline = time.monotonic() + 60
    while not marker.exists():  # the function itself says it is running
        assert time.monotonic() < deadline, "the invocation never started"
        caller.join(0.05)
    return caller, client


def test_ctrl_c_says_what_it_waits_for_and_a_second_one_stops_at_once(serve: Serve, tmp_path: Path) -> None:
    caller, client = _start_slow_invocation(serve, tmp_path)
    serve.process.send_signal(signal.SIGINT)
    assert serve.wait_for_line("waiting for 1 invocation in flight", 30), serve.errors
    assert "Ctrl+C again stops at once" in "".join(serve.errors)
    started = time.monotonic()
    serve.process.send_signal(signal.SIGINT)
    assert serve.process.wait(30) == 0
    assert time.monotonic() - started < 8  # at once: not the grace period, nor the function's 300 s
    assert serve.wait_for_line("stopping now", 5)
    assert "Traceback" not in "".join(serve.errors), "".join(serve.errors)
    caller.join(30)
    client.close()


def test_one_ctrl_c_waits_no_longer_than_the_grace_period(serve: Serve, tmp_path: Path) -> None:
    from workbench.commands.serve import SHUTDOWN_GRACE_S

    caller, client = _start_slow_invocation(serve, tmp_path)
    started = time.monotonic()
    os.kill(serve.process.pid, signal.SIGINT)
    assert serve.process.wait(SHUTDOWN_GRACE_S + 30) == 0
    assert time.monotonic() - started < SHUTDOWN_GRACE_S + 20
    assert "Traceback" not in "".join(serve.errors), "".join(serve.errors)
    caller.join(30)
    client.close()
