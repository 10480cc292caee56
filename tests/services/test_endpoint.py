"""The one endpoint's routing: Lambda stays the workbench's, other services reach moto unchanged, and
requests without credentials or for services that do not run here get clear AWS-shaped errors."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from tests.api.conftest import ServerThread, lambda_client
from tests.services.conftest import aws
from workbench.services.routing import Destination, classify


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_lambda_stays_ours(served: ServerThread) -> None:
    names = {f["FunctionName"] for f in lambda_client(served.url).list_functions()["Functions"]}
    assert {"py-writer", "node-writer"} <= names


def test_moto_errors_reach_the_client_unchanged(served: ServerThread) -> None:
    with pytest.raises(ClientError) as caught:
        aws(served.url, "sqs").get_queue_url(QueueName="no-such-queue")
    assert caught.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    with pytest.raises(ClientError) as missing:
        aws(served.url, "s3").get_object(Bucket="wb-uploads", Key="nothing")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"


def test_unsigned_requests_are_refused(served: ServerThread) -> None:
    # The API's guard (workbench/api/guard.py) refuses unsigned requests before any routing, for every service.
    with pytest.raises(ClientError) as caught:
        aws(served.url, "sqs", signature_version=UNSIGNED).list_queues()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    status, body = _post(served.url + "/", b"Action=ListQueues", {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and b"Missing Authentication Token" in body


def test_unknown_services_are_named(served: ServerThread) -> None:
    scope = "Credential=test/20240101/us-east-1/nosuchservice/aws4_request"
    status, body = _post(served.url + "/", b"{}", {
        "Authorization": f"AWS4-HMAC-SHA256 {scope}, SignedHeaders=host, Signature={'0' * 64}",
        "X-Amz-Date": "20240101T000000Z",
        "X-Amz-Target": "NoSuch.Operation", "Content-Type": "application/x-amz-json-1.0"})
    assert status == 400
    error = json.loads(body)
    assert error["__type"] == "UnknownServiceException" and "'nosuchservice'" in error["message"]


@pytest.mark.parametrize(("headers", "query", "path", "expected"), [
    ({"Authorization": "AWS4-HMAC-SHA256 Credential=a/20240101/eu-west-1/sqs/aws4_request, SignedHeaders=host"},
     {}, "/", (Destination.SERVICES, "sqs", "eu-west-1")),
    ({"Authorization": "AWS4-HMAC-SHA256 Credential=a/20240101/us-east-1/lambda/aws4_request, S=1"},
     {}, "/2015-03-31/functions", (Destination.LAMBDA, "lambda", "us-east-1")),
    ({}, {"X-Amz-Credential": "a/20240101/us-east-1/s3/aws4_request"}, "/bucket/key",
     (Destination.SERVICES, "s3", "us-east-1")),
    ({"Authorization": "AWS a:b"}, {}, "/bucket", (Destination.SERVICES, "s3", None)),
    ({}, {}, "/2015-03-31/functions", (Destination.LAMBDA, None, None)),
    ({}, {}, "/_workbench/functions/f/package", (Destination.LAMBDA, None, None)),
    ({"X-Amz-Target": "AmazonSQS.ListQueues"}, {}, "/", (Destination.UNSIGNED, "AmazonSQS", None)),
    ({}, {}, "/bucket/key", (Destination.UNSIGNED, None, None)),
])
def test_classify(headers: dict[str, str], query: dict[str, str], path: str,
                  expected: tuple[Destination, str | None, str | None]) -> None:
    route = classify("GET", path, headers, query)
    assert (route.destination, route.service, route.region) == expected


def test_a_body_of_megabytes_is_forwarded(served: ServerThread) -> None:
    # aiohttp warns about raw request bodies of 1 MiB or more; the forwarder streams them (it answered 500 before).
    s3 = aws(served.url, "s3")
    data = bytes(range(256)) * (8 * 1024)  # 2 MiB
    s3.put_object(Bucket="wb-uploads", Key="large.bin", Body=data)
    assert s3.get_object(Bucket="wb-uploads", Key="large.bin")["Body"].read() == data
