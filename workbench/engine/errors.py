"""Typed errors of the engine façade. Each carries the Lambda API error code and HTTP status it maps to,
so the HTTP API, the CLI and the GUI report the same thing the same way."""

from __future__ import annotations


class LambdaError(Exception):
    code = "ServiceException"
    status = 500
    error_kind = "Service"  # AWS's "Type": "User" or "Service"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ResourceNotFoundError(LambdaError):
    code = "ResourceNotFoundException"
    status = 404
    error_kind = "User"


class ResourceConflictError(LambdaError):
    code = "ResourceConflictException"
    status = 409
    error_kind = "User"


class PreconditionFailedError(LambdaError):
    code = "PreconditionFailedException"
    status = 412
    error_kind = "User"


class InvalidParameterValueError(LambdaError):
    code = "InvalidParameterValueException"
    status = 400
    error_kind = "User"


class InvalidRequestContentError(LambdaError):
    code = "InvalidRequestContentException"
    status = 400
    error_kind = "User"


class RequestTooLargeError(LambdaError):
    code = "RequestTooLargeException"
    status = 413
    error_kind = "User"


class InvalidZipFileError(LambdaError):
    code = "InvalidZipFileException"
    status = 502
    error_kind = "User"


class TooManyRequestsError(LambdaError):
    code = "TooManyRequestsException"
    status = 429
    error_kind = "User"

    def __init__(self, reason: str, message: str = "Rate Exceeded.", retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after_s = retry_after_s


class ServiceError(LambdaError):
    """Something in the workbench itself failed (a backend could not launch, ...)."""
