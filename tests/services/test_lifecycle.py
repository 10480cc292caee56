"""moto's lifecycle (on demand, restarted when it dies, with the template's resources), bad template
resources, and an external endpoint instead of moto."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.services.conftest import write_project
from workbench.engine import Engine, EngineSettings
from workbench.model.project import load_project
from workbench.model.template import TemplateError
from workbench.services import LocalServices, client_for, provision


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[LocalServices]:
    running = LocalServices(log_path=tmp_path / "moto.log")
    yield running
    await running.close()


async def _queues(endpoint: str) -> list[str]:
    answer = await asyncio.to_thread(lambda: client_for("sqs", endpoint, "us-east-1").list_queues())
    return [url.rsplit("/", 1)[-1] for url in answer.get("QueueUrls", [])]


async def test_started_on_demand_and_stopped_with_close(services: LocalServices) -> None:
    assert not services.running and services.pid is None
    await services.open()
    assert services.public_endpoint is not None and services.pid is None  # the gateway only: no moto yet
    await provision(services, {"Q": {"Type": "AWS::SQS::Queue", "Properties": {}}}, {})
    assert services.running
    pid = services.pid
    assert pid is not None
    await services.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


async def test_engine_restarts_moto_and_recreates_the_resources(tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    project = load_project(write_project(tmp_path / "project") / "template.yaml")
    async with Engine(project, state_dir=tmp_path / "state") as engine:
        first_port = engine.services.endpoint_url
        assert "wb-work" in await _queues(first_port)
        assert engine.services.pid is not None
        with caplog.at_level(logging.WARNING):
            os.kill(engine.services.pid, signal.SIGKILL)
            await asyncio.wait_for(engine.services.wait_restarted(1), 60)
        assert "exited" in caplog.text and "starting them again" in caplog.text
        assert engine.services.endpoint_url == first_port  # same port: URLs handed out stay right
        assert {"wb-work", "wb-dead-letters", "Ordered.fifo"} <= set(await _queues(first_port))


async def test_the_gateway_forwards_when_no_server_runs(tmp_path: Path) -> None:
    project = load_project(write_project(tmp_path / "project") / "template.yaml")
    async with Engine(project, state_dir=tmp_path / "state") as engine:
        variables = engine.services.client_variables()
        assert variables["AWS_ENDPOINT_URL"] == engine.services.public_endpoint
        assert variables["AWS_ENDPOINT_URL"] != engine.services.endpoint_url
        assert "wb-work" in await _queues(variables["AWS_ENDPOINT_URL"])


async def test_external_endpoint_starts_no_moto(tmp_path: Path, services: LocalServices) -> None:
    external = await services.ensure_started()   # stands in for LocalStack or ElasticMQ
    project = load_project(write_project(tmp_path / "project") / "template.yaml")
    settings = EngineSettings(aws_endpoint=external)
    async with Engine(project, state_dir=tmp_path / "state", settings=settings) as engine:
        assert engine.services.pid is None
        assert engine.services.client_variables()["AWS_ENDPOINT_URL"] == external
        assert engine.function("py-writer").environment["QUEUE_URL"].endswith("/wb-work")
    assert "wb-work" in await _queues(external)


@pytest.mark.parametrize(("resource", "message"), [
    ({"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimout": 3}},
     "template.yaml: Bad.VisibilityTimout: unknown property of AWS::SQS::Queue"),
    ({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "has spaces"}},
     "template.yaml: Bad.QueueName: queue name 'has spaces'"),
    ({"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "plain", "FifoQueue": True}},
     "template.yaml: Bad.QueueName: queue name 'plain': a FIFO queue's name must end in .fifo"),
    ({"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 0}},
     "template.yaml: Bad.ShardCount: a stream needs at least 1 shard (got 0)"),
    ({"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "Upper_Case"}},
     "template.yaml: Bad.BucketName: bucket name 'Upper_Case'"),
    ({"Type": "AWS::SNS::Subscription", "Properties": {"TopicArn": {"Ref": "Missing"}, "Protocol": "sqs"}},
     "template.yaml: Bad.TopicArn: Ref to unknown parameter or resource 'Missing'"),
    ({"Type": "AWS::DynamoDB::Table", "Properties": {"KeySchema": []}},
     "template.yaml: Bad.AttributeDefinitions: is required"),
])
async def test_bad_resources_are_template_errors(services: LocalServices, resource: dict[str, Any],
                                                 message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        await provision(services, {"Bad": resource}, {}, path=Path("template.yaml"))
    assert str(caught.value).startswith(message)


async def test_unsupported_types_are_named(services: LocalServices, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        created = await provision(services, {"Role": {"Type": "AWS::IAM::Role", "Properties": {}},
                                             "Machine": {"Type": "AWS::StepFunctions::StateMachine"}}, {})
    assert created == {} and services.pid is None  # nothing to create: moto was not even started
    assert "Machine (AWS::StepFunctions::StateMachine)" in caplog.text
    assert "AWS::IAM::Role" not in caplog.text  # permissions are not enforced locally: nothing to warn about


async def test_dependency_order_and_cycles(services: LocalServices) -> None:
    created = await provision(services, {
        "Sub": {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": {"Ref": "Topic"}, "Protocol": "sqs", "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]}}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "${Queue.QueueName}-topic"}}},
        "Queue": {"Type": "AWS::SQS::Queue", "DependsOn": "Topic2"},
        "Topic2": {"Type": "AWS::SNS::Topic"},
    }, {})
    assert created["Topic"]["TopicName"] == "Queue-topic"
    assert created["Sub"]["Ref"].startswith("arn:aws:sns:us-east-1:123456789012:Queue-topic:")
    with pytest.raises(TemplateError, match="cycle: A, B"):
        await provision(services, {"A": {"Type": "AWS::SQS::Queue", "DependsOn": "B"},
                                   "B": {"Type": "AWS::SQS::Queue", "DependsOn": ["A"]}}, {})
