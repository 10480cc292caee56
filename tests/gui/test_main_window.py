from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

from tests.docker_support import require_docker
from tests.gui.conftest import invoke_through_ui, running_window, wait_for
from workbench.backends.procfs import descendants
from workbench.gui.app import route_errors
from workbench.gui.session import EngineState
from workbench.gui.widgets.message_bar import Level
from workbench.model.project import Project


async def test_layout_is_saved_and_restored(project: Project, tmp_path: Path) -> None:
    settings = tmp_path / "layout.ini"
    async with running_window(project, tmp_path, settings_path=settings, remember_layout=True) as window:
        window.removeDockWidget(window.docks["traces"])
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, window.docks["traces"])
        window.docks["environments"].hide()
    assert settings.exists()
    async with running_window(project, tmp_path, settings_path=settings, remember_layout=True) as window:
        assert window.dockWidgetArea(window.docks["traces"]) == Qt.DockWidgetArea.LeftDockWidgetArea
        assert window.docks["environments"].isHidden()
        window.reset_layout()
        assert window.dockWidgetArea(window.docks["traces"]) == Qt.DockWidgetArea.BottomDockWidgetArea
        assert not window.docks["environments"].isHidden()


async def test_an_unreachable_docker_is_reported_and_the_engine_keeps_running(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-docker-here.sock'}")
    async with running_window(project, tmp_path, expect_errors=True) as window:
        before = window.session.engine
        window.backend_box.setCurrentText("docker")
        window.switch_backend("docker")
        await window.operations.wait_idle()
        error = window.message_bar.history[-1]
        assert error.level is Level.ERROR and "Switch to the docker backend failed" in error.text
        assert window.session.engine is before and window.session.state is EngineState.RUNNING
        assert window.backend_box.currentText() == "process"
        assert window.status.backend_label.text() == "Backend: process"
        await invoke_through_ui(window, "greeter", "{}")
        assert window.event_editor.result_view.result is not None


@pytest.mark.docker
async def test_switching_to_docker_runs_the_functions_in_containers(project: Project, tmp_path: Path) -> None:
    require_docker()
    async with running_window(project, tmp_path) as window:
        await invoke_through_ui(window, "greeter", "{}")
        window.backend_box.setCurrentText("docker")
        window.switch_backend("docker")
        await window.operations.wait_idle()
        assert window.session.backend == "docker" and window.status.backend_label.text() == "Backend: docker"
        assert window.environments.tiles.live_count() == 0, "the process backend's environments went with it"
        await invoke_through_ui(window, "greeter", '{"name": "container"}')
        result = window.event_editor.result_view.result
        assert result is not None and result.cold_start and b'"container"' in result.payload
        await wait_for(lambda: window.environments.tiles.live_count() == 1, message="a container environment")


async def test_status_bar_counts(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        assert "running" in window.status.engine_label.text()
        assert window.status.backend_label.text() == "Backend: process"
        engine = window.session.require()
        await asyncio.gather(*(engine.invoke("greeter", b"{}") for _ in range(2)))
        for _ in range(10):
            await engine.invoke("greeter", b"{}")
        await wait_for(lambda: window.status.environments_label.text() == "Environments: 2", message="env count")
        await wait_for(lambda: window.status.invocations_per_s > 0, message="a rate")
        assert window.status.rate_label.text().startswith("Invocations/s: ")


async def test_errors_in_slots_reach_the_message_bar(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path, expect_errors=True) as window:
        route_errors(window, asyncio.get_running_loop())

        def broken_slot() -> None:
            raise RuntimeError("a slot failed")

        QTimer.singleShot(0, broken_slot)
        await wait_for(lambda: any("a slot failed" in m.text for m in window.message_bar.history),
                       message="the slot's error")
        message = window.message_bar.history[-1]
        assert message.level is Level.ERROR and "Traceback" in message.details

        async def broken_task() -> None:
            raise ValueError("a task failed")

        task = asyncio.ensure_future(broken_task())
        await asyncio.sleep(0.05)
        del task   # never awaited: its error is reported when the task is collected
        await wait_for(lambda: any("a task failed" in m.text for m in window.message_bar.history), timeout=5,
                       message="the task's error")


async def test_close_shuts_the_engine_down(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        await invoke_through_ui(window, "greeter", "{}")
        pids = [pid for pid in descendants(os.getpid()) if pid != os.getpid() and _is_runtime(pid)]
        assert pids, "the invocation's runtime process runs under this process"
        window.close()
        await wait_for(lambda: not window.isVisible(), message="the window closes after its engine")
        assert window.session.engine is None and window.session.state is EngineState.STOPPED
        assert not [pid for pid in pids if _is_runtime(pid)], "no runtime process is left behind"


def _is_runtime(pid: int) -> bool:
    """A live (not zombie) process running one of the workbench's runtime bootstraps."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return state != "Z" and b"bootstrap" in command
