"""The function-configuration members shared by CreateFunction and UpdateFunctionConfiguration, read into
`FunctionConfig` field names, and the code members shared by CreateFunction and UpdateFunctionCode."""

from __future__ import annotations

import logging
from typing import Any

from workbench.api.validation import Members, decode_base64
from workbench.engine import InvalidParameterValueError
from workbench.model.runtimes import RUNTIMES, retired_message

log = logging.getLogger(__name__)

ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
ARCHITECTURES = ("x86_64", "arm64")
#: Members that only mean something in the cloud (networks, keys, tags, file systems, ...): accepted so that
#: existing tools work unchanged, not stored, and named in the server's log.
CLOUD_ONLY = ("VpcConfig", "KMSKeyArn", "Tags", "FileSystemConfigs", "CodeSigningConfigArn",
              "ImageConfig", "LoggingConfig", "TenancyConfig", "CapacityProviderConfig",
              "DurableConfig", "RuntimeConfig", "AcceleratorConfig", "PublishTo", "SourceKMSKeyArn",
              "S3ObjectStorageMode")


def read_config(body: Members, *, creating: bool) -> dict[str, Any]:
    """The configuration members present in ``body``, as `FunctionConfig` fields. Model constraints are
    collected in ``body``; Lambda's own limits are checked later by `validate_function`."""
    changes: dict[str, Any] = {}
    values = {
        "runtime": body.string("Runtime"),
        "handler": body.string("Handler", max_length=128, pattern=r"[^\s]+"),
        "description": body.string("Description", max_length=256),
        "timeout": body.integer("Timeout", minimum=1, maximum=5400),
        "memory_size": body.integer("MemorySize", minimum=128, maximum=32768),
        "role": body.string("Role", required=creating, pattern=ROLE_PATTERN),
        "layers": body.strings("Layers"),
        "architectures": body.strings("Architectures", min_items=1, max_items=1, enum=ARCHITECTURES),
    }
    changes.update({field: value for field, value in values.items() if value is not None})
    environment = body.structure("Environment")
    if environment is not None:
        changes["environment"] = environment.mapping("Variables") or {}
    tracing = body.structure("TracingConfig")
    if tracing is not None:
        mode = tracing.string("Mode", enum=("Active", "PassThrough"))
        if mode is not None:
            changes["tracing_mode"] = mode
    snap_start = body.structure("SnapStart")
    if snap_start is not None:
        apply_on = snap_start.string("ApplyOn", enum=("PublishedVersions", "None"))
        if apply_on is not None:
            changes["snap_start"] = apply_on
    dead_letter = body.structure("DeadLetterConfig")
    if dead_letter is not None:  # an empty TargetArn (or structure) removes the dead-letter queue
        changes["dead_letter_target"] = dead_letter.string("TargetArn", max_length=10000,
                                                           pattern=r"(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()") or None
    storage = body.structure("EphemeralStorage")
    if storage is not None:
        size = storage.integer("Size", required=True, minimum=512, maximum=32768)
        if size is not None:
            changes["ephemeral_storage"] = size
    return changes


def check_runtime(runtime: str | None) -> None:
    refusal = retired_message(runtime) if runtime is not None else None
    if refusal is not None:
        raise InvalidParameterValueError(refusal)
    if runtime is not None and runtime not in RUNTIMES:
        raise InvalidParameterValueError(f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must "
                                         f"satisfy enum value set: [{', '.join(RUNTIMES)}] or be a valid ARN")


def note_cloud_only(operation: str, body: Members) -> None:
    ignored = [name for name in CLOUD_ONLY if body.present(name)]
    if ignored:
        log.warning("%s: %s ignored (no effect in the workbench)", operation, ", ".join(ignored))


async def read_package(code: Members | None) -> bytes:
    """The deployment package of a Code structure (or UpdateFunctionCode's body): a base64 ZipFile."""
    if code is not None:
        text = code.string("ZipFile")
        code.check()
        if text is not None:
            return await decode_base64("ZipFile", text)
        if code.present("ImageUri"):
            raise InvalidParameterValueError("Container images (ImageUri, PackageType Image) are not supported by "
                                             "the workbench: upload a ZIP deployment package as ZipFile")
        if code.present("S3Bucket") or code.present("S3Key"):
            raise InvalidParameterValueError("There is no S3 offline: upload the deployment package itself as "
                                             "ZipFile (the AWS CLI: --zip-file fileb://function.zip)")
    raise InvalidParameterValueError("Please provide a source for function code.")
