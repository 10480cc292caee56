"""One window per project: a second `workbench gui` on the same project is told which process holds it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.commands.instance_lock import InstanceLock, ProjectLockedError
from workbench.resources import SAMPLE_PROJECT

#: Holds the lock in another process, says so on stdout, and keeps it until killed.
HOLDER = """
import sys, time
from pathlib import Path
from workbench.commands.instance_lock import InstanceLock
lock = InstanceLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    state_dir = tmp_path / "project" / ".workbench"
    with subprocess.Popen([sys.executable, "-c", HOLDER, str(state_dir)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None and process.stdout.readline().strip() == "held"
        yield process
        process.kill()


def test_a_second_instance_is_told_who_holds_the_project(tmp_path: Path,
                                                         holder: subprocess.Popen[str]) -> None:
    with pytest.raises(ProjectLockedError, match=rf"already open in another workbench \(process {holder.pid},"):
        InstanceLock(tmp_path / "project" / ".workbench").acquire()


def test_the_lock_dies_with_its_process(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    holder.send_signal(signal.SIGKILL)   # a crash: no chance to release
    holder.wait(timeout=10)
    with InstanceLock(tmp_path / "project" / ".workbench") as lock:
        assert f'"pid": {os.getpid()}' in lock.path.read_text()
    assert lock.path.read_text() == "", "released: the file no longer names a holder"


def test_workbench_gui_twice_on_one_project(tmp_path: Path) -> None:
    """The CLI's answer, before any window or engine touches the project's state."""
    project = tmp_path / "project"
    subprocess.run(["cp", "-r", str(SAMPLE_PROJECT), str(project)], check=True)
    with subprocess.Popen([sys.executable, "-c", HOLDER, str(project / ".workbench")], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        before = sorted(path.name for path in (project / ".workbench").iterdir())
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
        done = subprocess.run([sys.executable, "-m", "workbench", "gui", "--project", str(project)],
                              capture_output=True, text=True, timeout=60, env=env, check=False)
        assert done.returncode == 2
        assert f"already open in another workbench (process {holder.pid}" in done.stderr
        after = sorted(path.name for path in (project / ".workbench").iterdir())
        # Loading the template may cache its translation; the engine's state (state.db, logs) is untouched.
        assert set(after) - set(before) <= {"cache"}, after
        holder.kill()
