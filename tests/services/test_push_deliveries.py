"""SNS subscriptions with the `lambda` protocol, EventBridge rules with Lambda targets and S3 notifications to
Lambda invoke the workbench's functions asynchronously, with the events Lambda receives (issue 10). moto cannot
call the workbench's functions; the workbench delivers them (services/deliveries.py).

The template uses SAM's own event sources (`Events: {Type: SNS | EventBridgeRule | S3}`), which AWS's SAM
translator expands into the CloudFormation subscription, rule target and bucket notification, and one plain
`AWS::SNS::Subscription` with `Protocol: lambda`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.helpers import write_files
from workbench.engine import Engine
from workbench.model.project import load_project
from workbench.services import client_for

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Seen:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: push-seen
  Alerts:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: push-alerts
  Direct:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: push-direct
  DirectSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Direct
      Protocol: lambda
      Endpoint: !GetAtt Recorder.Arn
      FilterPolicy:
        kind: [wanted]
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: push-uploads
  Recorder:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: recorder
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          SEEN: !Ref Seen
      Events:
        Topic:
          Type: SNS
          Properties:
            Topic: !Ref Alerts
        Orders:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [shop.orders]
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
"""

RECORDER = """
import json, os
import boto3

sqs = boto3.client("sqs")

def handler(event, context):
    sqs.send_message(QueueUrl=os.environ["SEEN"], MessageBody=json.dumps(event))
"""


def _project(root: Path) -> Path:
    write_files(root, {"src/app.py": RECORDER, "template.yaml": TEMPLATE})
    return root / "template.yaml"


def _seen(endpoint: str, wanted: int) -> list[dict[str, Any]]:
    sqs = client_for("sqs", endpoint, "us-east-1")
    url = sqs.get_queue_url(QueueName="push-seen")["QueueUrl"]
    events: list[dict[str, Any]] = []
    for _ in range(30):
        if len(events) >= wanted:
            break
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2, MaxNumberOfMessages=10).get(
                "Messages", []):
            events.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return events


def _send(endpoint: str, engine: Engine) -> None:
    sns = client_for("sns", endpoint, "us-east-1")
    sns.publish(TopicArn=engine.resource_attributes["Alerts"]["Ref"], Message='{"alert": 1}', Subject="Hello",
                MessageAttributes={"origin": {"DataType": "String", "StringValue": "test"}})
    direct = engine.resource_attributes["Direct"]["Ref"]
    sns.publish(TopicArn=direct, Message="filtered out", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "unwanted"}})
    sns.publish(TopicArn=direct, Message="direct", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "wanted"}})
    client_for("events", endpoint, "us-east-1").put_events(Entries=[{
        "Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": json.dumps({"order": 7})}, {
        "Source": "someone.else", "DetailType": "Ignored", "Detail": "{}"}])
    client_for("s3", endpoint, "us-east-1").put_object(Bucket="push-uploads", Key="in/photo.jpg", Body=b"jpeg")


async def test_sns_eventbridge_and_s3_invoke_functions_asynchronously(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path / "project"))
    async with Engine(project, backend="process", state_dir=tmp_path / "state") as engine:
        endpoint = engine.services.endpoint_url
        assert {d.source for d in engine.deliveries.deliveries} == {"sns", "events", "s3"}
        await asyncio.to_thread(_send, endpoint, engine)
        events = await asyncio.to_thread(_seen, endpoint, 4)

    sns = sorted((e["Records"][0] for e in events if e.get("Records", [{}])[0].get("EventSource") == "aws:sns"),
                 key=lambda record: record["Sns"]["Message"])
    assert [record["Sns"]["Message"] for record in sns] == ["direct", '{"alert": 1}']
    alert = sns[1]
    assert alert["EventVersion"] == "1.0" and alert["EventSubscriptionArn"].startswith(
        engine.resource_attributes["Alerts"]["Ref"] + ":")
    assert alert["Sns"]["Type"] == "Notification" and alert["Sns"]["Subject"] == "Hello"
    assert alert["Sns"]["TopicArn"] == engine.resource_attributes["Alerts"]["Ref"]
    assert alert["Sns"]["MessageAttributes"] == {"origin": {"Type": "String", "Value": "test"}}
    assert {"SigningCertUrl", "UnsubscribeUrl", "MessageId", "Timestamp"} <= set(alert["Sns"])
    assert sns[0]["EventSubscriptionArn"] == engine.resource_attributes["DirectSubscription"]["Ref"]

    rule = [e for e in events if e.get("source") == "shop.orders"]
    assert len(rule) == 1 and rule[0]["detail"] == {"order": 7} and rule[0]["detail-type"] == "OrderPlaced"
    assert not [e for e in events if e.get("source") == "someone.else"]

    s3 = [e["Records"][0] for e in events if e.get("Records", [{}])[0].get("eventSource") == "aws:s3"]
    assert len(s3) == 1 and s3[0]["eventName"].startswith("ObjectCreated:")
    assert s3[0]["s3"]["bucket"]["name"] == "push-uploads" and s3[0]["s3"]["object"]["key"] == "in/photo.jpg"
    assert len(events) == 4, events
