"""Unchanged function code with the SDK Lambda's runtimes ship: boto3 in Python, the JS SDK v3 in Node.js,
reaching the local services through AWS_ENDPOINT_URL."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from tests.api.conftest import ServerThread, invoke, lambda_client
from tests.services.conftest import aws
from workbench.services.sdk import installed_sdks


def _written_by(served: ServerThread, item_id: str) -> tuple[str, str]:
    item = aws(served.url, "dynamodb").get_item(TableName="Simple", Key={"id": {"S": item_id}})["Item"]
    sqs = aws(served.url, "sqs")
    url = sqs.get_queue_url(QueueName="wb-work")["QueueUrl"]
    while True:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10, MaxNumberOfMessages=10)["Messages"]
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if message["Body"].endswith(":" + item_id):
                return item["by"]["S"], message["Body"]


def _invoked(served: ServerThread, function: str, item_id: str) -> dict[str, Any]:
    """What ``function`` answered to the event {"id": item_id}, which it ran without an error."""
    response = invoke(lambda_client(served.url), FunctionName=function, Payload=json.dumps({"id": item_id}).encode())
    result: dict[str, Any] = json.loads(response["Payload"])
    assert "FunctionError" not in response, result
    return result


def test_python_function_uses_boto3(served: ServerThread) -> None:
    if installed_sdks().python is None:
        pytest.fail("the SDKs are not built: run `workbench sdk build`")
    result = _invoked(served, "py-writer", "p-1")
    assert result["boto3"].startswith(str(installed_sdks().python))  # the shipped one, not the host's
    assert result["endpoint"] == served.url
    assert _written_by(served, "p-1") == ("python", "python:p-1")


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_node_function_uses_the_js_sdk(served: ServerThread) -> None:
    if installed_sdks().node_modules is None:
        pytest.fail("the JS SDK is not built: run `workbench sdk build` (needs npm)")
    result = _invoked(served, "node-writer", "n-1")
    assert result["sdk"].startswith(str(installed_sdks().node_modules))
    assert _written_by(served, "n-1") == ("node", "node:n-1")
