"""A template's asynchronous settings reach the queue at engine start: a function's `DeadLetterQueue` and its
`EventInvokeConfig` (retries, destinations; SAM expands it to `AWS::Lambda::EventInvokeConfig`), with the
template's own queues as targets, provisioned in the engine's local services and delivered to there."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.asynchronous.conftest import receive
from tests.helpers import make_project
from workbench.engine import Engine, EngineSettings
from workbench.services import LocalServices, client_for

APP = """
    def handler(event, context):
        if event.get("fail"):
            raise RuntimeError("failed on purpose")
        return {"ok": event["n"]}
"""
QUEUES = {"DeadLetters": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "fn-dead-letters"}},
          "Done": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "fn-done"}},
          "Failed": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "fn-failed"}}}


def _project(root: Path, retries: int) -> Any:
    return make_project(root, {"Fn": {
        "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11", "FunctionName": "fn",
        "AutoPublishAlias": "live",
        "DeadLetterQueue": {"Type": "SQS", "TargetArn": {"Fn::GetAtt": ["DeadLetters", "Arn"]}},
        "EventInvokeConfig": {"MaximumRetryAttempts": retries, "MaximumEventAgeInSeconds": 600,
                              "DestinationConfig": {"OnSuccess": {"Type": "SQS",
                                                                  "Destination": {"Fn::GetAtt": ["Done", "Arn"]}}}},
    }}, {"src/app.py": APP}, extra_resources=QUEUES)


async def test_the_templates_dead_letter_queue_and_event_invoke_config_are_applied(tmp_path: Path) -> None:
    project = _project(tmp_path, retries=0)
    assert project.template.dead_letter_targets and project.template.event_invoke_configs
    settings = EngineSettings(async_delay_scale=0.001)
    async with Engine(project, settings=settings) as engine:
        dead_letters = "arn:aws:sqs:us-east-1:123456789012:fn-dead-letters"
        assert engine.function("fn").dead_letter_target == dead_letters
        # SAM puts the EventInvokeConfig on the AutoPublishAlias; the published version keeps the queue
        config = engine.get_function_event_invoke_config("fn", "live")
        assert (config.maximum_retry_attempts, config.maximum_event_age_s) == (0, 600)
        assert config.on_success == "arn:aws:sqs:us-east-1:123456789012:fn-done" and config.on_failure is None
        assert engine.function_entry("fn").aliases["live"].function_version == "1"
        assert engine.function_entry("fn").versions["1"].config.dead_letter_target == dead_letters

        sqs = client_for("sqs", engine.services.endpoint_url, "us-east-1")
        urls = {name: engine.resource_attributes[name]["QueueUrl"] for name in QUEUES}
        await engine.invoke_async("fn", b'{"n": 1}', qualifier="live")
        await engine.invoke_async("fn", b'{"n": 2, "fail": true}', qualifier="live")
        await engine.wait_async_settled("fn")
        done = await asyncio.to_thread(receive, sqs, urls["Done"])
        record = json.loads(done["Body"])
        assert record["requestContext"]["condition"] == "Success" and record["responsePayload"] == {"ok": 1}
        dead = await asyncio.to_thread(receive, sqs, urls["DeadLetters"])
        assert json.loads(dead["Body"]) == {"n": 2, "fail": True}      # no retries: the template said 0
        assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"] == "failed on purpose"
        statistics = engine.statistics().function("fn").asynchronous
        assert (statistics.succeeded, statistics.failed, statistics.dead_lettered, statistics.retries) == (1, 1, 1, 0)

        # a change through the API lasts until the next start, where the template wins again
        await engine.put_function_event_invoke_config("fn", "live", maximum_retry_attempts=2)
        assert engine.get_function_event_invoke_config("fn", "live").maximum_retry_attempts == 2

    async with Engine(_project(tmp_path, retries=1), settings=settings) as engine:
        config = engine.get_function_event_invoke_config("fn", "live")
        assert config.maximum_retry_attempts == 1 and config.on_success is not None


async def test_an_unusable_template_setting_is_skipped_with_a_warning(tmp_path: Path, caplog: Any) -> None:
    project = make_project(tmp_path, {"Fn": {
        "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11", "FunctionName": "fn",
        "DeadLetterQueue": {"Type": "SQS", "TargetArn": "not-an-arn"},
        "EventInvokeConfig": {"MaximumRetryAttempts": 1, "DestinationConfig": {
            "OnSuccess": {"Type": "S3Bucket", "Destination": "arn:aws:s3:::bucket"}}},   # S3: OnFailure only
    }}, {"src/app.py": APP})
    async with Engine(project) as engine:
        assert engine.function("fn").dead_letter_target is None
        assert engine.list_function_event_invoke_configs("fn") == []
    assert "DeadLetterConfig is ignored" in caplog.text and "the EventInvokeConfig is ignored" in caplog.text


async def test_deliveries_go_to_the_external_endpoint_when_one_is_set(tmp_path: Path) -> None:
    outside = LocalServices(log_path=tmp_path / "outside.log")   # another moto, standing for LocalStack
    url = await outside.start()
    try:
        sqs = client_for("sqs", url, "us-east-1")
        queue_url = (await asyncio.to_thread(sqs.create_queue, QueueName="outside"))["QueueUrl"]
        project = make_project(tmp_path / "p", {"Fn": {
            "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11", "FunctionName": "fn",
            "DeadLetterQueue": {"Type": "SQS", "TargetArn": "arn:aws:sqs:us-east-1:123456789012:outside"},
            "EventInvokeConfig": {"MaximumRetryAttempts": 0}}}, {"src/app.py": APP})
        async with Engine(project, settings=EngineSettings(aws_endpoint=url)) as engine:
            await engine.invoke_async("fn", b'{"n": 3, "fail": true}')
            await engine.wait_async_settled("fn")
            message = await asyncio.to_thread(receive, sqs, queue_url)
            assert json.loads(message["Body"]) == {"n": 3, "fail": True}
            assert engine.services.pid is None    # no local services of its own
    finally:
        await outside.close()
