"""Errors as the Lambda API sends them: REST-JSON with the code in `X-Amzn-ErrorType`.

The body carries the members of the error's shape in botocore's model: `Type` ("User"/"Service", left out for
the few errors AWS sends without one) and the message, whose key is `Message` for some shapes and `message`
for the rest — SDKs read the key the model names, so the casing matters.
"""

from __future__ import annotations

import json
import uuid

from aiohttp import web

from workbench.engine import LambdaError, TooManyRequestsError

#: Error shapes whose message member is `Message` (all others use `message`).
_CAPITALISED_MESSAGE = frozenset({
    "ResourceNotFoundException", "ServiceException", "InvalidZipFileException", "InvalidRuntimeException",
    "ResourceInUseException", "UnknownOperationException",
})


class UnknownOperationError(LambdaError):
    """A path or method that is no operation of the Lambda API."""

    code = "UnknownOperationException"
    status = 404
    error_kind = "User"


class AccessDeniedError(LambdaError):
    """A request the API refuses to serve whoever signed it: addressed to another host (DNS rebinding) or sent
    by a web page of another origin."""

    code = "AccessDeniedException"
    status = 403
    error_kind = "User"


class UnsupportedMediaTypeError(LambdaError):
    """A JSON operation sent as text or as a form: what a web page can send without asking first."""

    code = "UnsupportedMediaTypeException"
    status = 415
    error_kind = "User"


class AuthenticationError(LambdaError):
    """A request without a valid SigV4 signature; ``code`` is the one AWS's front end uses for the case
    (MissingAuthenticationTokenException, IncompleteSignatureException, InvalidSignatureException,
    UnrecognizedClientException). AWS sends these without a Type."""

    status = 403
    error_kind = None

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def error_document(error: LambdaError) -> dict[str, str]:
    document: dict[str, str] = {}
    if error.error_kind is not None:
        document["Type"] = error.error_kind
    document["Message" if error.code in _CAPITALISED_MESSAGE else "message"] = error.message
    if isinstance(error, TooManyRequestsError):
        document["Reason"] = error.reason
    return document


def error_response(error: LambdaError, request_id: str | None = None) -> web.Response:
    headers = {"X-Amzn-ErrorType": error.code, "x-amzn-RequestId": request_id or str(uuid.uuid4())}
    if isinstance(error, TooManyRequestsError) and error.retry_after_s is not None:
        headers["Retry-After"] = str(error.retry_after_s)
    return web.Response(status=error.status, body=json.dumps(error_document(error)).encode(),
                        content_type="application/json", headers=headers)
