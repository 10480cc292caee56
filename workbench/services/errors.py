"""AWS-shaped error answers of the one endpoint, in the protocol the client speaks.

JSON protocols (`X-Amz-Target`, `application/x-amz-json-*`) get `{"__type": ..., "message": ...}`; the query
and REST-XML protocols get `<ErrorResponse><Error>...`, which botocore parses for both.
"""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

from aiohttp import web


def _speaks_json(request: web.BaseRequest) -> bool:
    return "X-Amz-Target" in request.headers or "json" in request.headers.get("Content-Type", "")


def aws_error(request: web.BaseRequest, status: int, code: str, message: str) -> web.Response:
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id, "x-amzn-ErrorType": code}
    if _speaks_json(request):
        return web.Response(status=status, headers=headers, content_type="application/x-amz-json-1.0",
                            text=json.dumps({"__type": code, "message": message, "Message": message}))
    kind = "Sender" if status < 500 else "Receiver"
    body = (f"<ErrorResponse><Error><Type>{kind}</Type><Code>{escape(code)}</Code><Message>{escape(message)}"
            f"</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
    return web.Response(status=status, headers=headers, content_type="text/xml", text=body)


def missing_authentication(request: web.BaseRequest) -> web.Response:
    """What AWS answers an unsigned request to a service that needs a signature."""
    return aws_error(request, 403, "MissingAuthenticationTokenException" if _speaks_json(request)
                     else "MissingAuthenticationToken",
                     "Request is missing Authentication Token: sign it with SigV4 (any credentials will do here; "
                     "the SDKs and the AWS CLI sign when given credentials, e.g. AWS_ACCESS_KEY_ID=test)")


def unknown_service(request: web.BaseRequest, service: str) -> web.Response:
    return aws_error(request, 400, "UnknownServiceException",
                     f"The local AWS services do not include {service!r} (the service named in the request's "
                     "SigV4 credential scope); see `workbench resources` for what runs here")


def services_unavailable(request: web.BaseRequest, why: str) -> web.Response:
    return aws_error(request, 503, "ServiceUnavailable", f"The local AWS services are not reachable: {why}")
