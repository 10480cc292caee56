"""The engine the window works with: starting it, switching its backend, reloading the project.

A switch starts the new engine before closing the old one, so when the new backend cannot start (Docker
not installed, say) the error goes to the message bar and the workbench keeps running on the old one.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum

from PySide6.QtCore import QObject, Signal

from workbench.engine import Engine, EngineSettings, ServiceError
from workbench.gui.bridge import EngineBridge
from workbench.model.project import Project, load_or_empty


class EngineState(StrEnum):
    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"


class EngineSession(QObject):
    state_changed = Signal(str)
    project_changed = Signal(object)

    def __init__(self, project: Project, bridge: EngineBridge, *, backend: str = "process",
                 settings: EngineSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.backend = backend
        self.settings = settings
        self.bridge = bridge
        self.engine: Engine | None = None
        self.state = EngineState.STOPPED

    def _set_state(self, state: EngineState) -> None:
        self.state = state
        self.state_changed.emit(state.value)

    def require(self) -> Engine:
        """The running engine, or a ServiceError the message bar can show."""
        if self.engine is None or self.state is not EngineState.RUNNING:
            raise ServiceError(f"the engine is {self.state.value}")
        return self.engine

    async def _replace(self, project: Project, backend: str) -> None:
        previous = self.engine
        self._set_state(EngineState.STARTING)
        engine: Engine | None = None
        try:
            engine = Engine(project, backend=backend, settings=self.settings)
            await engine.start()
        except BaseException:
            if engine is not None:
                await asyncio.shield(engine.close())
            self._set_state(EngineState.RUNNING if previous is not None else EngineState.STOPPED)
            raise
        self.engine, self.project, self.backend = engine, project, backend
        self.bridge.attach(engine)
        self._set_state(EngineState.RUNNING)
        if previous is not None:
            await previous.close()
        self.project_changed.emit(project)

    async def start(self) -> None:
        await self._replace(self.project, self.backend)

    async def switch_backend(self, backend: str) -> None:
        if backend != self.backend or self.engine is None:
            await self._replace(self.project, backend)

    async def reload_project(self) -> None:
        """Re-read the template (after it was edited) and restart the engine on it."""
        project = await asyncio.to_thread(load_or_empty, self.project.template_path)
        await self._replace(project, self.backend)

    async def restart(self, settings: EngineSettings | None = None) -> None:
        """A fresh engine on the same project (new settings, or the demo reset): every environment stops."""
        previous = self.settings
        self.settings = settings if settings is not None else self.settings
        try:
            await self._replace(self.project, self.backend)
        except BaseException:
            self.settings = previous
            raise

    async def open_project(self, project: Project) -> None:
        """Run ``project`` instead: its engine starts before the current one closes (so a project that cannot
        start leaves the window on the old one)."""
        await self._replace(project, self.backend)

    async def close(self) -> None:
        engine, self.engine = self.engine, None
        if engine is None:
            return
        self._set_state(EngineState.STOPPING)
        self.bridge.detach()
        try:
            await engine.close()
        finally:
            self._set_state(EngineState.STOPPED)
