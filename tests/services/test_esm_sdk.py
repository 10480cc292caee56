"""ES-module Node.js handlers import the JS SDK v3 unchanged, as on Lambda's nodejs18+ runtimes:
`import { SQSClient } from "@aws-sdk/client-sqs"` in an `.mjs` file or a `"type": "module"` package, on every
backend; a version the function bundles in its own node_modules still wins.

Node's ES-module resolution ignores NODE_PATH, so without the runtime's resolve hook these imports fail with
ERR_MODULE_NOT_FOUND (Runtime.ImportModuleError)."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from tests.backend_matrix import backend
from tests.helpers import write_files
from workbench.engine import Engine
from workbench.model.project import load_project
from workbench.services import client_for
from workbench.services.sdk import installed_sdks

__all__ = ["backend"]  # the fixture: every test here runs on every backend
pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Work:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: esm-work
  MjsSender:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: mjs-sender
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: mjs/
      Environment:
        Variables:
          QUEUE_URL: !Ref Work
  ModuleBundled:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: module-bundled
      Runtime: nodejs20.x
      Handler: app.handler
      CodeUri: bundled/
"""

MJS_SENDER = """\
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

const sqs = new SQSClient({});

export const handler = async (event) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: "esm:" + event.id }));
  return { sent: event.id };
};
"""

# "type": "module" makes app.js an ES module; its own @aws-sdk/client-sqs (a stand-in) must win over the SDK.
BUNDLED_APP = """\
import { SQSClient, BUNDLED } from "@aws-sdk/client-sqs";

export const handler = async () => ({ bundled: BUNDLED === true, client: typeof SQSClient });
"""


def _write_project(root: Path) -> Path:
    package = "bundled/node_modules/@aws-sdk/client-sqs"
    write_files(root, {
        "mjs/index.mjs": MJS_SENDER,
        "bundled/package.json": json.dumps({"name": "bundled", "type": "module"}),
        "bundled/app.js": BUNDLED_APP,
        f"{package}/package.json": json.dumps({"name": "@aws-sdk/client-sqs", "version": "3.0.0-bundled",
                                               "type": "module", "exports": {".": "./index.js"}}),
        f"{package}/index.js": "export const BUNDLED = true;\nexport class SQSClient {}\n",
        "template.yaml": TEMPLATE})
    return root / "template.yaml"


@pytest.mark.slow
async def test_es_modules_import_the_sdk_unchanged(tmp_path: Path, backend: str) -> None:
    if installed_sdks().node_modules is None:
        pytest.fail("the JS SDK is not built: run `workbench sdk build` (needs npm)")
    project = load_project(_write_project(tmp_path / "project"))
    async with Engine(project, backend=backend, state_dir=tmp_path / "state") as engine:
        sent = await engine.invoke("mjs-sender", json.dumps({"id": backend}).encode())
        assert sent.function_error is None, sent.payload
        assert json.loads(sent.payload) == {"sent": backend}

        def receive() -> list[str]:
            sqs = client_for("sqs", engine.services.endpoint_url, "us-east-1")
            url = sqs.get_queue_url(QueueName="esm-work")["QueueUrl"]
            messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10, MaxNumberOfMessages=10)
            return [message["Body"] for message in messages.get("Messages", [])]

        assert f"esm:{backend}" in await asyncio.to_thread(receive)

        bundled = await engine.invoke("module-bundled", b"{}")
        assert bundled.function_error is None, bundled.payload
        assert json.loads(bundled.payload) == {"bundled": True, "client": "function"}
