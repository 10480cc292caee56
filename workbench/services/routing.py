"""Which service a request to the one endpoint is for, told the way AWS's front ends and LocalStack tell it.

A SigV4-signed request names its service in the credential scope (`Credential=AKID/20240101/us-east-1/sqs/
aws4_request`), in the `Authorization` header or, for presigned URLs, in the `X-Amz-Credential` query
parameter. Lambda is the workbench's own; every other signed request goes to the local services. Pure logic
(no I/O), so that the rules are tested without a server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

#: The Lambda API's own paths (dated REST paths) and the workbench's download URLs. Unsigned requests to
#: them stay Lambda's, as before there were local services (plain HTTP clients, curl).
_LAMBDA_PATH = re.compile(r"^/(\d{4}-\d{2}-\d{2}|_workbench)/")
_SCOPE = re.compile(r"Credential=([^,\s]+)")


class Destination(Enum):
    LAMBDA = "lambda"            # the workbench's Lambda API
    SERVICES = "services"        # forwarded unchanged to moto (or the external endpoint)
    UNSIGNED = "unsigned"        # no credentials, and not a Lambda path: MissingAuthenticationToken


@dataclass(frozen=True, slots=True)
class Route:
    destination: Destination
    #: The signing name from the credential scope (`sqs`, `dynamodb`, ...), or the X-Amz-Target prefix.
    service: str | None = None
    region: str | None = None


def credential_scope(headers: Mapping[str, str], query: Mapping[str, str]) -> tuple[str, str] | None:
    """(region, service) of a SigV4 request, or None when it carries no SigV4 credential."""
    authorization = headers.get("Authorization", "")
    match = _SCOPE.search(authorization) if authorization.startswith("AWS4-") else None
    credential = match.group(1) if match else query.get("X-Amz-Credential", "")
    parts = credential.split("/")
    if len(parts) == 5 and parts[4] == "aws4_request" and parts[3]:
        return parts[2], parts[3].lower()
    return None


def classify(method: str, path: str, headers: Mapping[str, str], query: Mapping[str, str]) -> Route:
    """Where a request goes. SigV2 (`AWS AKID:signature`) is S3's old scheme, as moto assumes too."""
    scope = credential_scope(headers, query)
    if scope is not None:
        region, service = scope
        if service == "lambda":
            return Route(Destination.LAMBDA, service, region)
        return Route(Destination.SERVICES, service, region)
    authorization = headers.get("Authorization", "")
    if authorization.startswith("AWS ") or ("Signature" in query and "AWSAccessKeyId" in query):
        return Route(Destination.SERVICES, "s3")
    target = headers.get("X-Amz-Target")
    if target:
        return Route(Destination.UNSIGNED, target.split(".", 1)[0])
    if _LAMBDA_PATH.match(path):
        return Route(Destination.LAMBDA)
    return Route(Destination.UNSIGNED)
