"""One pipeline run, stage by stage: Source (a clean checkout of the pushed commit), Build, Deploy.

Each stage's status, times and log go to the store as they happen (so `workbench pipeline logs --follow`
shows a build while it runs) and each change is published as an engine event. A failing stage stops the
run with its log; the stages after it are `skipped`.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

from workbench.engine import Clock, EngineEvent, PipelineStageChanged
from workbench.pipeline import store
from workbench.pipeline.build import BuildOutput, StageFailedError, run_build
from workbench.pipeline.definition import DEFINITION_NAME, DefinitionError, PipelineDefinition, load_definition
from workbench.pipeline.deploy import ErrorCounter, RolledBackError, deploy
from workbench.pipeline.git import GitError, checkout, commit_subject
from workbench.pipeline.lambda_api import LambdaClient


class PipelineRunner:
    def __init__(self, connection: sqlite3.Connection, work_root: Path, api: LambdaClient, *, clock: Clock,
                 counter: ErrorCounter, publish: Callable[[EngineEvent], None] | None = None,
                 build_aws: Mapping[str, str] | None = None,
                 resource_attributes: Callable[[], Mapping[str, Mapping[str, str]]] | None = None) -> None:
        self.connection = connection
        self.work_root = work_root
        self.api = api
        self.clock = clock
        self.counter = counter
        self.publish = publish
        #: AWS_ENDPOINT_URL and credentials for the Build's commands (see `run_build`).
        self.build_aws = build_aws
        #: The supporting resources the workbench has made now (queues, tables, ...), read at each Build.
        self.resource_attributes = resource_attributes

    async def _db(self, function: Callable[..., object], *args: object) -> None:
        await asyncio.to_thread(function, self.connection, *args)

    async def _stage(self, run: store.Run, stage: str, status: str, run_status: str = "running") -> None:
        await self._db(store.set_stage, run.id, stage, status, self.clock.time())
        if self.publish is not None:
            self.publish(PipelineStageChanged(self.clock.time(), run.id, run.commit, stage, status, run_status))

    async def run(self, run: store.Run) -> str:
        """Run the stages of a claimed run; returns its final status."""
        workdir = self.work_root / f"run-{run.id}"
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        stage = "Source"
        status, error = "failed", None
        try:
            await self._stage(run, stage, "running")
            definition = await self._source(run, workdir / "source")
            await self._stage(run, stage, "succeeded")
            stage = "Build"
            await self._stage(run, stage, "running")
            output = await run_build(workdir / "source", definition, run.commit, self._logger(run, stage),
                                     aws=self.build_aws, resource_attributes=self.resource_attributes()
                                     if self.resource_attributes is not None else None)
            await self._stage(run, stage, "succeeded")
            stage = "Deploy"
            await self._stage(run, stage, "running")
            await self._deploy(run, output)
            status = "succeeded"
            await self._stage(run, stage, status, status)
        except (StageFailedError, DefinitionError, GitError) as exc:
            error = f"{stage}: {exc}"
            await self._logger(run, stage)(f"FAILED: {exc}\n")
            await self._stage(run, stage, "failed", status)
        except RolledBackError as exc:
            status, error = "rolled-back", f"{stage}: {exc}"
            await self._stage(run, stage, status, status)
        except asyncio.CancelledError:
            await asyncio.shield(self._logger(run, stage)("the workbench stopped during this stage\n"))
            raise
        except Exception as exc:  # a bug must not lose the run: it is recorded as the failure it is
            error = f"{stage}: internal error: {exc!r}"
            await self._logger(run, stage)(f"FAILED: internal error: {exc!r}\n")
            await self._stage(run, stage, "failed", status)
        finally:
            await asyncio.to_thread(shutil.rmtree, workdir, True)
        await self._db(store.finish_run, run.id, status, self.clock.time(), error)
        return status

    def _logger(self, run: store.Run, stage: str) -> Callable[[str], Awaitable[None]]:
        async def log(text: str) -> None:
            await asyncio.to_thread(store.append_log, self.connection, run.id, stage, text)
        return log

    async def _source(self, run: store.Run, target: Path) -> PipelineDefinition:
        log = self._logger(run, "Source")
        await log(f"checking out {run.commit} ({run.ref}) from {run.repository}\n")
        await asyncio.to_thread(checkout, Path(run.repository), run.commit, target)
        await log(f"{await asyncio.to_thread(commit_subject, target, run.commit)}\n")
        return load_definition(target / DEFINITION_NAME)

    async def _deploy(self, run: store.Run, output: BuildOutput) -> None:
        await deploy(self.api, output, run.commit, clock=self.clock, counter=self.counter,
                     log=self._logger(run, "Deploy"))
