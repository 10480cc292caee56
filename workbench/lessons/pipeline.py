"""A lesson's application project and its push pipeline: the project is made from an application template (a
git repository with its bare origin, as `workbench init --app-template` makes it) and the window switches to it;
its pushes are built and deployed inside the window's process, as `workbench serve` does - the Lambda API on
loopback and the pipeline worker deploying through it - with the deployment's waits sped up so a canary's five
minutes pass while a class watches."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from pathlib import Path

from workbench.api.app import ApiServer
from workbench.catalog.apptemplates import find_app_template, init_app
from workbench.engine import Engine, RealClock
from workbench.pipeline import store
from workbench.pipeline.clock import ScaledClock
from workbench.pipeline.git import git
from workbench.pipeline.traffic import shifts
from workbench.pipeline.worker import PipelineWorker

#: How many times faster than real time a lesson's deployment steps run (a 5 minute canary takes 15 s).
LESSON_SPEEDUP = 20.0


def make_app_project(template: str) -> Path:
    """A fresh project from ``template`` in a new temporary folder (its origin beside it); the project's path."""
    parent = Path(tempfile.mkdtemp(prefix="workbench-lesson-"))
    return init_app(find_app_template(template), parent / template).project


def push_change(project: Path, file: str, old: str, new: str, message: str) -> None:
    """Edit ``file``, commit and push: the origin's hook queues a pipeline run."""
    path = project / file
    path.write_text(path.read_text().replace(old, new))
    git("commit", "--quiet", "-am", message, cwd=project)
    git("push", "--quiet", cwd=project)


def runs(state_dir: Path) -> list[store.Run]:
    with store.with_store(state_dir / "state.db") as connection:
        return [store.get_run(connection, run.id) for run in store.list_runs(connection)]


def completed_canaries(state_dir: Path) -> int:
    """Alias shifts that went all the way, over every run's Deploy log."""
    return sum(1 for run in runs(state_dir) for stage in run.stages if stage.name == "Deploy"
               for shift in shifts(stage.log) if shift.outcome == "complete" and len(shift.points) > 2)


class LessonPipeline:
    """The API and the pipeline worker on ``engine``, until `close`."""

    def __init__(self, engine: Engine, state_dir: Path, speedup: float = LESSON_SPEEDUP) -> None:
        self.engine = engine
        self.state_dir = state_dir
        self.server = ApiServer(engine)
        self._speedup = speedup
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.server.start()
        engine = self.engine
        worker = PipelineWorker(self.state_dir, self.server.url, subscribe=engine.subscribe,
                                publish=engine.bus.publish, clock=ScaledClock(RealClock(), self._speedup),
                                resource_attributes=lambda: engine.resource_attributes)
        self._task = asyncio.ensure_future(worker.run())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task   # a worker that had died raises its error here
        await self.server.close()

    def succeeded(self) -> int:
        return sum(1 for run in runs(self.state_dir) if run.status == "succeeded")

    def failed(self) -> list[str]:
        return [f"run {run.id}: {run.error}" for run in runs(self.state_dir) if run.status == "failed"]
