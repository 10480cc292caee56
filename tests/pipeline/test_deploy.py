"""The Deploy stage against a real engine and API server (verifying SigV4 signatures with configured
credentials, as `workbench serve --credentials` does): a canary moves alias traffic in virtual time
(FakeClock), and rolls back when the new version's errors trip the alarm."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.helpers import write_files
from workbench.api.app import ApiServer
from workbench.engine import Engine, FakeClock, deterministic_zip
from workbench.model.project import load_project
from workbench.model.template import load_template
from workbench.pipeline.build import BuildOutput, StageFailedError
from workbench.pipeline.deploy import ErrorCounter, RolledBackError, deploy
from workbench.pipeline.lambda_api import LambdaApiError, LambdaClient, function_path

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Shop:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: shop
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
      AutoPublishAlias: live
      DeploymentPreference:
        Type: {kind}
        Alarms: [!Ref ShopErrors]
  ShopErrors:
    Type: AWS::CloudWatch::Alarm
    Properties: {{MetricName: Errors, Threshold: 1, ComparisonOperator: GreaterThanOrEqualToThreshold}}
"""
V1 = "def handler(event, context):\n    return 'v1'\n"
V2 = "def handler(event, context):\n    return 'v2'\n"
CREDENTIALS = {"pipeline": "its-secret"}
BROKEN = "def handler(event, context):\n    raise RuntimeError('v2 is broken')\n"


def built(folder: Path, kind: str, code: str) -> BuildOutput:
    write_files(folder, {"template.yaml": TEMPLATE.format(kind=kind), "src/app.py": code})
    return BuildOutput(load_template(folder / "template.yaml"), {"shop": deterministic_zip(folder / "src")})


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Engine, LambdaClient, ErrorCounter]]:
    built(tmp_path / "project", "Canary10Percent5Minutes", V1)
    async with Engine(load_project(project_dir=tmp_path / "project")) as engine:
        counter = ErrorCounter()
        engine.subscribe(counter.observe)
        server = ApiServer(engine, credentials=CREDENTIALS)
        await server.start()
        try:
            async with aiohttp.ClientSession() as session:
                yield engine, LambdaClient(session, server.url, CREDENTIALS), counter
        finally:
            await server.close()


async def noop(text: str) -> None:
    del text


async def start(api: LambdaClient, counter: ErrorCounter, output: BuildOutput,
                clock: FakeClock) -> tuple[asyncio.Task[None], asyncio.Queue[float]]:
    weights: asyncio.Queue[float] = asyncio.Queue()
    task = asyncio.create_task(deploy(api, output, "c0ffee", clock=clock, counter=counter, log=noop,
                                      on_weight=lambda name, weight: weights.put_nowait(weight)))
    return task, weights


async def alias(api: LambdaClient) -> tuple[str, dict[str, float]]:
    document = await api.call("GET", function_path("shop", "/aliases/live"))
    return document["FunctionVersion"], (document.get("RoutingConfig") or {}).get("AdditionalVersionWeights", {})


async def test_a_canary_holds_ten_percent_for_five_virtual_minutes(served, tmp_path: Path) -> None:
    engine, api, counter = served
    clock = FakeClock()
    task, weights = await start(api, counter, built(tmp_path / "v2", "Canary10Percent5Minutes", V2), clock)
    assert await asyncio.wait_for(weights.get(), 30) == 0.1
    assert await alias(api) == ("1", {"2": 0.1})
    await clock.advance(290)
    assert not task.done() and await alias(api) == ("1", {"2": 0.1})
    await clock.advance(10)
    assert await asyncio.wait_for(weights.get(), 30) == 1.0
    await task
    assert await alias(api) == ("2", {})
    assert (await engine.invoke("shop", b"{}", qualifier="live")).payload == b'"v2"'


async def test_linear_moves_ten_percent_a_minute(served, tmp_path: Path) -> None:
    _, api, counter = served
    clock = FakeClock()
    task, weights = await start(api, counter, built(tmp_path / "v2", "Linear10PercentEvery1Minute", V2), clock)
    seen = [await asyncio.wait_for(weights.get(), 30)]
    for _ in range(9):
        await clock.advance(60)
        seen.append(await asyncio.wait_for(weights.get(), 30))
    await task
    assert seen == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]


async def test_errors_of_the_new_version_roll_the_canary_back(served, tmp_path: Path) -> None:
    engine, api, counter = served
    clock = FakeClock()
    task, weights = await start(api, counter, built(tmp_path / "v2", "Canary10Percent5Minutes", BROKEN), clock)
    assert await asyncio.wait_for(weights.get(), 30) == 0.1
    for _ in range(400):  # 10% of the traffic reaches version 2: go on until one request has
        if (await engine.invoke("shop", b"{}", qualifier="live")).executed_version == "2":
            break
    else:
        raise AssertionError("no request reached the canary")
    await clock.advance(10)  # the alarm's next evaluation
    with pytest.raises(RolledBackError, match="alarm ShopErrors tripped; live rolled back to version 1"):
        await asyncio.wait_for(task, 30)
    assert await alias(api) == ("1", {})
    assert (await engine.invoke("shop", b"{}", qualifier="live")).payload == b'"v1"'


async def test_an_unknown_deployment_type_changes_nothing(served, tmp_path: Path) -> None:
    _, api, counter = served
    task, _ = await start(api, counter, built(tmp_path / "v2", "Canary50PercentForever", V2), FakeClock())
    with pytest.raises(StageFailedError, match="Canary50PercentForever"):
        await task
    assert await alias(api) == ("1", {})
    versions = await api.call("GET", function_path("shop", "/versions"))
    assert [v["Version"] for v in versions["Versions"]] == ["$LATEST", "1"]


async def test_the_deploy_client_signs_its_requests(served) -> None:
    """The guard verifies the signature: the right secret passes (every test above), a wrong one does not."""
    _, api, _ = served
    async with aiohttp.ClientSession() as session:
        stranger = LambdaClient(session, api.url, {"pipeline": "not-its-secret"})
        with pytest.raises(LambdaApiError) as raised:
            await stranger.call("GET", function_path("shop"))
    assert raised.value.status == 403 and raised.value.code == "InvalidSignatureException"
    assert (await api.call("GET", function_path("shop")))["Configuration"]["FunctionName"] == "shop"
