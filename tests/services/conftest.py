"""A project with every supported template resource and two functions that use the SDKs, served by a real
`workbench serve` (engine + API in a thread, as tests/api does) with moto behind its one endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.api.conftest import ServerThread
from tests.helpers import write_files
from workbench.model.project import load_project

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Prefix:
    Type: String
    Default: wb
Resources:
  DeadLetters:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Prefix}-dead-letters"
  Work:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Prefix}-work"
      VisibilityTimeout: 2
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt DeadLetters.Arn
        maxReceiveCount: 3
  Ordered:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
      ContentBasedDeduplication: true
  Fanout:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: fanout
  FanoutSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Fanout
      Protocol: sqs
      Endpoint: !GetAtt Work.Arn
      RawMessageDelivery: true
  Clicks:
    Type: AWS::Kinesis::Stream
    Properties:
      Name: clicks
      ShardCount: 2
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
      BillingMode: PAY_PER_REQUEST
      StreamSpecification:
        StreamViewType: NEW_AND_OLD_IMAGES
  Simple:
    Type: AWS::Serverless::SimpleTable
    Properties:
      PrimaryKey: {Name: id, Type: String}
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: shop
  OrderPlaced:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern:
        source: [shop.orders]
      Targets:
        - Id: to-work
          Arn: !GetAtt Ordered.Arn
          SqsParameters: {MessageGroupId: orders}
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: wb-uploads
  Role:
    Type: AWS::IAM::Role
    Properties: {}
  PythonWriter:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: py-writer
      Runtime: python3.12
      Handler: app.handler
      CodeUri: python/
      Environment:
        Variables:
          TABLE: !Ref Simple
          QUEUE_URL: !GetAtt Work.QueueUrl
          QUEUE_NAME: !GetAtt Work.QueueName
          STREAM_ARN: !GetAtt Orders.StreamArn
          BUS_ARN: !GetAtt Bus.Arn
  NodeWriter:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: node-writer
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: node/
      Environment:
        Variables:
          TABLE: !Ref Simple
          QUEUE_URL: !Ref Work
"""

PYTHON_WRITER = """
import os
import boto3

dynamodb = boto3.client("dynamodb")
sqs = boto3.client("sqs")

def handler(event, context):
    dynamodb.put_item(TableName=os.environ["TABLE"], Item={"id": {"S": event["id"]}, "by": {"S": "python"}})
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody="python:" + event["id"])
    return {"boto3": boto3.__file__, "endpoint": os.environ.get("AWS_ENDPOINT_URL")}
"""

NODE_WRITER = """
const { DynamoDBClient, PutItemCommand } = require("@aws-sdk/client-dynamodb");
const { SQSClient, SendMessageCommand } = require("@aws-sdk/client-sqs");

const dynamodb = new DynamoDBClient({});
const sqs = new SQSClient({});

exports.handler = async (event) => {
  await dynamodb.send(new PutItemCommand({ TableName: process.env.TABLE,
    Item: { id: { S: event.id }, by: { S: "node" } } }));
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: "node:" + event.id }));
  return { sdk: require.resolve("@aws-sdk/client-sqs") };
};
"""


def write_project(root: Path) -> Path:
    write_files(root, {"python/app.py": PYTHON_WRITER, "node/index.js": NODE_WRITER, "template.yaml": TEMPLATE})
    return root


def aws(url: str, service: str, **extra: Any) -> Any:
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"total_max_attempts": 1}, read_timeout=30, **extra))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    root = write_project(tmp_path_factory.mktemp("services-project"))
    running = ServerThread(root / ".workbench", load_project(root / "template.yaml")).start()
    yield running
    running.stop()
