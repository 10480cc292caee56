"""Dead-letter queues, destinations and FunctionEventInvokeConfigs through the real API with real boto3
clients, delivering to the engine's own local services (moto's SQS, SNS and EventBridge in a child process),
which the tests reach through the same one endpoint as Lambda."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import ECHO_ZIP, ROLE, ServerThread, create_echo, lambda_client
from tests.asynchronous.conftest import aws, receive


def _queue(sqs: Any) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


def test_dead_letter_queue_gets_the_event_unchanged_with_its_attributes(client: Any, server: ServerThread) -> None:
    sqs = aws("sqs", server.url)
    url, arn = _queue(sqs)
    create_echo(client, DeadLetterConfig={"TargetArn": arn})
    assert client.get_function_configuration(FunctionName="echo")["DeadLetterConfig"] == {"TargetArn": arn}
    client.put_function_event_invoke_config(FunctionName="echo", MaximumRetryAttempts=1)
    event = '{"fail": true, "n": 1}'
    answer = client.invoke(FunctionName="echo", InvocationType="Event", Payload=event)
    assert answer["StatusCode"] == 202
    message = receive(sqs, url)
    assert message["Body"] == event
    attributes = message["MessageAttributes"]
    assert attributes["RequestID"] == {"DataType": "String", "StringValue": answer["ResponseMetadata"]["RequestId"]}
    assert attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert attributes["ErrorMessage"] == {"DataType": "String", "StringValue": "failed on purpose"}
    version = client.publish_version(FunctionName="echo")["Version"]   # the dead-letter queue is locked in
    client.update_function_configuration(FunctionName="echo", DeadLetterConfig={"TargetArn": ""})
    assert "DeadLetterConfig" not in client.get_function_configuration(FunctionName="echo")
    assert client.get_function_configuration(FunctionName="echo", Qualifier=version)["DeadLetterConfig"] == \
        {"TargetArn": arn}


def test_each_destination_type_gets_the_invocation_record(client: Any, server: ServerThread) -> None:
    sqs, sns, events = aws("sqs", server.url), aws("sns", server.url), aws("events", server.url)
    success_url, success_arn = _queue(sqs)
    topic = sns.create_topic(Name=f"t-{uuid.uuid4().hex[:8]}")["TopicArn"]
    topic_url, topic_queue = _queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=topic_queue, Attributes={"RawMessageDelivery": "true"})
    create_echo(client)
    client.put_function_event_invoke_config(FunctionName="echo", MaximumRetryAttempts=0, DestinationConfig={
        "OnSuccess": {"Destination": success_arn}, "OnFailure": {"Destination": topic}})
    ok = client.invoke(FunctionName="echo", InvocationType="Event", Payload='{"n": 1}')
    record = json.loads(receive(sqs, success_url)["Body"])
    assert record["version"] == "1.0" and record["requestPayload"] == {"n": 1}
    assert record["requestContext"] == {
        "requestId": ok["ResponseMetadata"]["RequestId"], "condition": "Success", "approximateInvokeCount": 1,
        "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:echo:$LATEST"}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"]["event"] == {"n": 1}
    client.invoke(FunctionName="echo", InvocationType="Event", Payload='{"fail": true}')
    failure = json.loads(receive(sqs, topic_url)["Body"])
    assert failure["requestContext"]["condition"] == "RetriesExhausted"
    assert failure["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert failure["responsePayload"]["errorMessage"] == "failed on purpose"

    # EventBridge: the record is the event's detail, from source "lambda"
    bus = events.create_event_bus(Name=f"b-{uuid.uuid4().hex[:8]}")["EventBusArn"]
    bridged_url, bridged_arn = _queue(sqs)
    events.put_rule(Name="all", EventBusName=bus, EventPattern=json.dumps({"source": ["lambda"]}))
    events.put_targets(Rule="all", EventBusName=bus, Targets=[{"Id": "q", "Arn": bridged_arn}])
    client.update_function_event_invoke_config(FunctionName="echo", DestinationConfig={
        "OnFailure": {"Destination": bus}})
    config = client.get_function_event_invoke_config(FunctionName="echo")
    assert config["DestinationConfig"] == {"OnSuccess": {"Destination": success_arn},
                                           "OnFailure": {"Destination": bus}}
    assert config["MaximumRetryAttempts"] == 0
    client.invoke(FunctionName="echo", InvocationType="Event", Payload='{"fail": true}')
    bridged = json.loads(receive(sqs, bridged_url)["Body"])
    assert bridged["source"] == "lambda"
    assert bridged["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert bridged["detail"]["requestContext"]["condition"] == "RetriesExhausted"

    # Lambda: another function invoked asynchronously with the record as its event
    client.create_function(FunctionName="receiver", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": ECHO_ZIP})
    client.update_function_event_invoke_config(FunctionName="echo", DestinationConfig={
        "OnSuccess": {"Destination": "arn:aws:lambda:us-east-1:123456789012:function:receiver"}})
    sent = client.invoke(FunctionName="echo", InvocationType="Event", Payload='{"to": "receiver"}')
    engine = server.engine
    assert engine is not None
    deadline = time.monotonic() + 60
    while not (lines := [line.message for line in server.call(engine.logs("receiver", text="echo"))]):
        assert time.monotonic() < deadline, "the receiver was never invoked"
        server.call(engine.wait_async_settled())
        time.sleep(0.05)  # its log lines are written by the store's thread
    received = json.loads(lines[-1].split("echo ", 1)[1])
    assert received["requestContext"]["requestId"] == sent["ResponseMetadata"]["RequestId"]
    assert received["requestPayload"] == {"to": "receiver"}
    assert received["responsePayload"]["event"] == {"to": "receiver"}


def test_a_version_or_alias_configuration_wins_over_the_functions(client: Any, server: ServerThread) -> None:
    sqs = aws("sqs", server.url)
    function_url, function_queue = _queue(sqs)
    alias_url, alias_queue = _queue(sqs)
    create_echo(client)
    version = client.publish_version(FunctionName="echo")["Version"]
    client.create_alias(FunctionName="echo", Name="live", FunctionVersion=version)
    client.put_function_event_invoke_config(FunctionName="echo", DestinationConfig={
        "OnSuccess": {"Destination": function_queue}})
    client.put_function_event_invoke_config(FunctionName="echo:live", DestinationConfig={
        "OnSuccess": {"Destination": alias_queue}})
    client.invoke(FunctionName="echo", Qualifier="live", InvocationType="Event", Payload='{"via": "alias"}')
    record = json.loads(receive(sqs, alias_url)["Body"])
    assert record["requestPayload"] == {"via": "alias"}
    assert record["requestContext"]["functionArn"].endswith(":echo:live")
    assert record["responseContext"]["executedVersion"] == version
    client.invoke(FunctionName="echo", Qualifier=version, InvocationType="Event", Payload='{"via": "version"}')
    assert json.loads(receive(sqs, function_url)["Body"])["requestPayload"] == {"via": "version"}
    listed = client.list_function_event_invoke_configs(FunctionName="echo")["FunctionEventInvokeConfigs"]
    assert [c["FunctionArn"].rsplit(":", 1)[1] for c in listed] == ["$LATEST", "live"]
    client.delete_function_event_invoke_config(FunctionName="echo", Qualifier="live")
    with pytest.raises(ClientError) as missing:
        client.get_function_event_invoke_config(FunctionName="echo", Qualifier="live")
    assert _code(missing.value) == "ResourceNotFoundException"
    assert "doesn't have an EventInvokeConfig" in missing.value.response["Error"]["Message"]


def test_bad_input_gets_lambdas_errors(client: Any, server: ServerThread) -> None:
    create_echo(client)
    unchecked = lambda_client(server.url, parameter_validation=False)  # botocore checks minimums itself
    cases: list[tuple[dict[str, Any], str]] = [
        ({"MaximumRetryAttempts": 3}, "ValidationException"),
        ({"MaximumEventAgeInSeconds": 59}, "ValidationException"),
        ({"MaximumEventAgeInSeconds": 21601}, "ValidationException"),
        ({"DestinationConfig": {"OnSuccess": {"Destination": "arn:aws:sqs:us-east-1:123456789012:nope"}}},
         "InvalidParameterValueException"),
        ({"DestinationConfig": {"OnFailure": {"Destination": "arn:aws:dynamodb:us-east-1:123456789012:table/t"}}},
         "InvalidParameterValueException"),
        ({"DestinationConfig": {"OnFailure": {"Destination": "arn:aws:lambda:us-east-1:123456789012:function:echo"}}},
         "InvalidParameterValueException"),
    ]
    for arguments, code in cases:
        with pytest.raises(ClientError) as error:
            unchecked.put_function_event_invoke_config(FunctionName="echo", **arguments)
        assert _code(error.value) == code, arguments
    with pytest.raises(ClientError) as error:
        client.put_function_event_invoke_config(FunctionName="nope", MaximumRetryAttempts=1)
    assert _code(error.value) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        client.update_function_event_invoke_config(FunctionName="echo", MaximumRetryAttempts=1)
    assert _code(error.value) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        client.update_function_configuration(FunctionName="echo",
                                             DeadLetterConfig={"TargetArn": "arn:aws:s3:::bucket"})
    assert _code(error.value) == "InvalidParameterValueException"
    with pytest.raises(ClientError) as error:
        client.invoke(FunctionName="echo", InvocationType="Event", Payload=b'"' + b"x" * 1_048_576 + b'"')
    assert _code(error.value) == "RequestTooLargeException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
