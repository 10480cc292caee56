"""The pipeline worker inside `workbench serve`: takes queued runs from the store, oldest first, one at a
time, and deploys to the server it runs in. Runs queued while no workbench ran (the hook only records
them) are taken at the next start; a run a stopped workbench left half-done is marked failed."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import aiohttp

from workbench.engine import Clock, EngineEvent, RealClock
from workbench.pipeline import store
from workbench.pipeline.clock import ScaledClock
from workbench.pipeline.deploy import ErrorCounter
from workbench.pipeline.lambda_api import LambdaClient, signing_pair
from workbench.pipeline.runner import PipelineRunner

#: How often the worker looks for queued runs (the hook writes them from another process).
POLL_INTERVAL_S = 0.25
#: Deployment steps (canary, linear) run this many times faster than real time; for classrooms and tests.
SPEEDUP_VARIABLE = "WORKBENCH_PIPELINE_SPEEDUP"
#: The region the Build's commands are in (the workbench's, as its API answers).
BUILD_REGION = "us-east-1"


def deployment_clock() -> Clock:
    try:
        factor = float(os.environ.get(SPEEDUP_VARIABLE, "1"))
    except ValueError:
        factor = 1.0
    return RealClock() if factor == 1 or factor <= 0 else ScaledClock(RealClock(), factor)


class PipelineWorker:
    def __init__(self, state_dir: Path, api_url: str, *, subscribe: Callable[[Callable[[EngineEvent], None]],
                 Callable[[], None]], publish: Callable[[EngineEvent], None], clock: Clock | None = None,
                 credentials: Mapping[str, str] | None = None,
                 resource_attributes: Callable[[], Mapping[str, Mapping[str, str]]] | None = None) -> None:
        self.state_dir = state_dir
        self.api_url = api_url
        #: What the server verifies signatures with (None: it accepts any well-formed signature).
        self.credentials = credentials
        self.resource_attributes = resource_attributes
        self.subscribe = subscribe
        self.publish = publish
        self.clock = clock or deployment_clock()
        self.idle = asyncio.Event()

    def build_aws(self) -> dict[str, str]:
        """What the Build's commands get as their AWS: this workbench's one endpoint (the Lambda API and the
        local services behind it), with credentials it accepts."""
        access_key, secret = signing_pair(self.credentials)
        return {"AWS_ENDPOINT_URL": self.api_url, "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret,
                "AWS_REGION": BUILD_REGION, "AWS_DEFAULT_REGION": BUILD_REGION}

    async def run(self) -> None:
        """Until cancelled."""
        connection = await asyncio.to_thread(store.connect, self.state_dir / "state.db")
        counter = ErrorCounter()
        unsubscribe = self.subscribe(counter.observe)
        try:
            await asyncio.to_thread(store.recover_interrupted, connection, time.time())
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as session:
                api = LambdaClient(session, self.api_url, self.credentials)
                runner = PipelineRunner(connection, self.state_dir / "pipeline", api, clock=self.clock,
                                        counter=counter, publish=self.publish, build_aws=self.build_aws(),
                                        resource_attributes=self.resource_attributes)
                while True:
                    run = await asyncio.to_thread(store.claim_next, connection, time.time())
                    if run is None:
                        self.idle.set()
                        await asyncio.sleep(POLL_INTERVAL_S)
                        continue
                    self.idle.clear()
                    await runner.run(run)
        finally:
            unsubscribe()
            connection.close()
