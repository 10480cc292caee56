"""Batches an event source mapping delivers show where their invocations show: the Traces list says what each
invocation carried ("batch of 3 · work · 1 failed"), and the Logs file a BATCH line with its size under the invocation's
request id. A real engine, real moto, a real queue and function."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from tests.gui.conftest import running_window, wait_for
from tests.helpers import make_project
from workbench.engine import EngineSettings, MappingOptions, PollerSettings
from workbench.gui.models.trace_model import COLUMNS
from workbench.services import browser

FAST = PollerSettings(sqs_wait_s=1, sqs_scale_interval_s=0.2, retry_delay_s=0.1, retry_delay_max_s=0.5)
CONSUMER = """
def handler(event, context):
    print("got", len(event["Records"]), "records")
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if "bad" in r["body"]]}
"""


async def test_a_batch_shows_in_the_traces_and_the_logs_with_its_size(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {
        "Consumer": {"FunctionName": "consumer", "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"},
    }, files={"src/app.py": CONSUMER},
        extra_resources={"Work": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "work",
                                                                             "VisibilityTimeout": 60}}})
    async with running_window(project, tmp_path, settings=EngineSettings(event_sources=FAST)) as window:
        engine = window.session.require()
        endpoint = await window.resources.context.endpoint()
        url = (await asyncio.to_thread(endpoint.client("sqs").get_queue_url, QueueName="work"))["QueueUrl"]
        arn = "arn:aws:sqs:us-east-1:123456789012:work"
        for body in ("one", "bad two", "three"):
            await asyncio.to_thread(browser.send_message, endpoint, url, body)
        await engine.create_event_source_mapping("consumer", arn, MappingOptions(
            batch_size=10, maximum_batching_window_s=1, function_response_types=("ReportBatchItemFailures",)))
        model = window.traces.model
        column = COLUMNS.index("Event")

        def noted() -> list[str]:
            return [text for row in range(model.rowCount()) if (text := model.index(row, column).data())]

        def sizes() -> int:   # the pollers may split the three messages into more than one batch
            return sum(int(match.group(1)) for text in noted() if (match := re.match(r"batch of (\d+) · work", text)))

        await wait_for(lambda: sizes() >= 3, timeout=30, message="the traces of the batches")
        assert sizes() == 3 and sum(text.endswith("· 1 failed") for text in noted()) == 1, noted()
        row = next(r for r in range(model.rowCount()) if (model.index(r, column).data() or "").endswith("failed"))
        request_id = model.trace_at(row).request_id
        logs = window.logs.model

        def batch_lines() -> list[str]:
            return [line.message for r in range(logs.rowCount()) if (line := logs.line_at(r)).request_id == request_id
                    and line.message.startswith("BATCH ")]

        await wait_for(lambda: batch_lines(), message="the batch's log line")
        assert "records\tSource: work" in batch_lines()[0] and batch_lines()[0].endswith("Failed: 1")
        window.logs.show_request(request_id)   # the batch line is filed with the invocation's own lines
        await wait_for(lambda: any(logs.line_at(r).message.startswith("got ") for r in range(logs.rowCount())),
                       message="the invocation's own lines")
        assert batch_lines(), "the BATCH line stays when the logs show only that request"
