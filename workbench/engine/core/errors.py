"""Typed errors of the engine façade. Each carries the Lambda API error code and HTTP status it maps to,
so the HTTP API, the CLI and the GUI report the same thing the same way."""

from __future__ import annotations


class LambdaError(Exception):
    code = "ServiceException"
    status = 500
    #: AWS's "Type": "User" or "Service"; None for the few errors AWS sends without one.
    error_kind: str | None = "Service"

    def __init__(self, message: str, *, untyped: bool = False) -> None:
        super().__init__(message)
        self.message = message
        if untyped:
            self.error_kind = None


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


def check_revision_id(current: str, given: str | None) -> None:
    """The optimistic RevisionId precondition of updates, publishes and alias changes (spec §7)."""
    if given is not None and given != current:
        raise PreconditionFailedError("The Revision Id provided does not match the latest Revision Id. Call the "
                                      "GetFunction/GetAlias API to retrieve the latest Revision Id")


class InvalidParameterValueError(LambdaError):
    code = "InvalidParameterValueException"
    status = 400
    error_kind = "User"


class InvalidPackageError(InvalidParameterValueError):
    """A deployment package (or layer archive) that cannot be unzipped safely or is too big unzipped: at upload
    Lambda reports these as InvalidParameterValueException (InvalidZipFileException is for invoke time)."""


class ValidationError(LambdaError):
    """A request member breaks a constraint of the API model (length, range, pattern, enum)."""

    code = "ValidationException"
    status = 400
    error_kind = None


class InvalidRequestContentError(LambdaError):
    code = "InvalidRequestContentException"
    status = 400
    error_kind = "User"


class RequestTooLargeError(LambdaError):
    code = "RequestTooLargeException"
    status = 413
    error_kind = "User"


class ProvisionedConcurrencyConfigNotFoundError(LambdaError):
    code = "ProvisionedConcurrencyConfigNotFoundException"
    status = 404
    error_kind = "User"


class InvalidRuntimeError(LambdaError):
    """The function's runtime cannot run here (e.g. Java in the process backend)."""

    code = "InvalidRuntimeException"
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
