"""A function's configuration and the rules a configuration must satisfy (spec §11).

Templates, the HTTP API and the CLI all build a `FunctionConfig` through `validate_function`, so a
bad value gets the same message whichever face it came through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.model import limits
from workbench.model.runtimes import Family, RuntimeInfo, lookup_runtime, retired_message

_FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
_ENV_KEY = re.compile(r"^[a-zA-Z]([a-zA-Z0-9_])+$")
#: Variables the platform sets; a customer may not (spec §1.5).
RESERVED_ENV_KEYS = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})


class ConfigError(ValueError):
    """A configuration value is invalid; ``prop`` names the property (e.g. ``MemorySize``)."""

    def __init__(self, prop: str, message: str) -> None:
        super().__init__(f"{prop}: {message}")
        self.prop = prop
        self.message = message


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """Everything that defines how one function runs. Immutable: a change makes a new config."""

    name: str
    runtime: str
    handler: str
    code_uri: Path | None
    memory_size: int = limits.MEMORY_DEFAULT_MB
    timeout: int = limits.TIMEOUT_DEFAULT_S
    environment: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    ephemeral_storage: int = limits.EPHEMERAL_DEFAULT_MB
    logical_id: str | None = None
    inline_code: str | None = None
    architectures: tuple[str, ...] = ("x86_64",)
    layers: tuple[str, ...] = ()
    reserved_concurrency: int | None = None
    auto_publish_alias: str | None = None
    provisioned_concurrency: int | None = None
    tracing_mode: str = "PassThrough"
    #: SnapStart's ApplyOn: "PublishedVersions" snapshots each published version after its init; "None" is off.
    snap_start: str = "None"
    #: DeadLetterConfig.TargetArn: the SQS queue or SNS topic failed asynchronous events go to (spec §5).
    dead_letter_target: str | None = None

    role: str = "arn:aws:iam::123456789012:role/lambda-role"

    def to_document(self) -> dict[str, Any]:
        """A JSON-ready form, for the project's state."""
        document = {name: getattr(self, name) for name in self.__dataclass_fields__}
        document["code_uri"] = str(self.code_uri) if self.code_uri is not None else None
        document["environment"] = dict(self.environment)
        return document

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> FunctionConfig:
        values = {name: document[name] for name in cls.__dataclass_fields__ if name in document}
        values["code_uri"] = Path(document["code_uri"]) if document.get("code_uri") else None
        for name in ("architectures", "layers"):
            values[name] = tuple(values.get(name) or ())
        return cls(**values)


def _int_in_range(prop: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(prop, f"must be an integer between {low} and {high} (got {value!r})")
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(prop, f"must be an integer between {low} and {high} (got {value!r})") from None
    if not low <= number <= high:
        raise ConfigError(prop, f"must be between {low} and {high} (got {number})")
    return number


def validate_function(
    *,
    name: Any,
    runtime: Any,
    handler: Any,
    code_uri: Path | None,
    memory_size: Any = limits.MEMORY_DEFAULT_MB,
    timeout: Any = limits.TIMEOUT_DEFAULT_S,
    environment: Any = None,
    description: Any = "",
    ephemeral_storage: Any = limits.EPHEMERAL_DEFAULT_MB,
    logical_id: str | None = None,
    inline_code: str | None = None,
    architectures: Any = ("x86_64",),
    layers: Any = (),
    reserved_concurrency: Any = None,
    auto_publish_alias: Any = None,
    provisioned_concurrency: Any = None,
    tracing_mode: Any = "PassThrough",
    snap_start: Any = "None",
    dead_letter_target: Any = None,
    role: Any = "arn:aws:iam::123456789012:role/lambda-role",
    require_code: bool = True,
) -> FunctionConfig:
    """Check every property against Lambda's rules and build the config. Raises ConfigError."""
    if not isinstance(name, str) or not _FUNCTION_NAME.match(name):
        raise ConfigError("FunctionName", f"must be 1-64 letters, digits, '-' or '_' (got {name!r})")
    if not isinstance(runtime, str):
        raise ConfigError("Runtime", f"must be a runtime identifier such as python3.12 (got {runtime!r})")
    refusal = retired_message(runtime)
    if refusal is not None:
        raise ConfigError("Runtime", refusal)
    try:
        info = lookup_runtime(runtime)
    except KeyError as exc:
        raise ConfigError("Runtime", str(exc.args[0])) from None
    if handler is None and info.family is Family.PROVIDED:
        handler = ""
    if not isinstance(handler, str) or (not handler and info.family is not Family.PROVIDED):
        raise ConfigError("Handler", f"is required for runtime {runtime} (got {handler!r})")
    if len(handler) > limits.HANDLER_MAX:
        raise ConfigError("Handler", f"must be at most {limits.HANDLER_MAX} characters")
    if "\0" in handler:
        raise ConfigError("Handler", "must not contain a NUL character")
    if not isinstance(description, str) or len(description) > limits.DESCRIPTION_MAX:
        raise ConfigError("Description", f"must be a string of at most {limits.DESCRIPTION_MAX} characters")
    memory = _int_in_range("MemorySize", memory_size, limits.MEMORY_MIN_MB, limits.MEMORY_MAX_MB)
    seconds = _int_in_range("Timeout", timeout, limits.TIMEOUT_MIN_S, limits.TIMEOUT_MAX_S)
    storage = _int_in_range("EphemeralStorage", ephemeral_storage, limits.EPHEMERAL_MIN_MB, limits.EPHEMERAL_MAX_MB)
    variables = validate_environment(environment)
    if not isinstance(architectures, list | tuple) or not architectures or any(
        a not in ("x86_64", "arm64") for a in architectures
    ):
        raise ConfigError("Architectures", f"must be [x86_64] or [arm64] (got {architectures!r})")
    if not isinstance(layers, list | tuple) or not all(isinstance(layer, str) for layer in layers):
        raise ConfigError("Layers", f"must be a list of layer version ARNs (got {layers!r})")
    if len(layers) > limits.LAYERS_MAX:
        raise ConfigError("Layers", f"Cannot reference more than {limits.LAYERS_MAX} layers (got {len(layers)}).")
    reserved = None if reserved_concurrency is None else _int_in_range(
        "ReservedConcurrentExecutions", reserved_concurrency, 0, 1_000_000)
    provisioned = None if provisioned_concurrency is None else _int_in_range(
        "ProvisionedConcurrencyConfig", provisioned_concurrency, 1, 1_000_000)
    if provisioned is not None and not auto_publish_alias:
        raise ConfigError("ProvisionedConcurrencyConfig", "needs AutoPublishAlias: provisioned concurrency "
                          "applies to a published version or alias, never $LATEST")
    if auto_publish_alias is not None and not isinstance(auto_publish_alias, str):
        raise ConfigError("AutoPublishAlias", f"must be an alias name (got {auto_publish_alias!r})")
    if tracing_mode not in ("Active", "PassThrough"):
        raise ConfigError("Tracing", f"must be Active or PassThrough (got {tracing_mode!r})")
    check_snap_start(snap_start, info)
    dead_letter = validate_dead_letter_target(dead_letter_target)
    if require_code and code_uri is None and inline_code is None:
        raise ConfigError("CodeUri", "is required (a folder or a .zip file)")
    if not isinstance(role, str) or not role:
        raise ConfigError("Role", f"must be an IAM role ARN (got {role!r})")
    return FunctionConfig(
        name=name, runtime=runtime, handler=handler, code_uri=code_uri, memory_size=memory, timeout=seconds,
        environment=variables, description=description, ephemeral_storage=storage, logical_id=logical_id,
        inline_code=inline_code, architectures=tuple(architectures), layers=tuple(layers),
        reserved_concurrency=reserved, auto_publish_alias=auto_publish_alias,
        provisioned_concurrency=provisioned, tracing_mode=tracing_mode, snap_start=snap_start, role=role,
        dead_letter_target=dead_letter,
    )


def check_snap_start(apply_on: Any, runtime: RuntimeInfo) -> None:
    """SnapStart's ApplyOn, for a runtime AWS offers it for and the workbench can snapshot (Python 3.12+)."""
    if apply_on not in ("PublishedVersions", "None"):
        raise ConfigError("SnapStart", f"ApplyOn must be PublishedVersions or None (got {apply_on!r})")
    if apply_on == "PublishedVersions" and not (
            runtime.family is Family.PYTHON and tuple(int(p) for p in runtime.version.split(".")) >= (3, 12)):
        raise ConfigError("SnapStart", f"SnapStart is not supported for the {runtime.name} runtime in the "
                          "workbench (it supports python3.12 and later)")


def validate_dead_letter_target(target: Any) -> str | None:
    """DeadLetterConfig.TargetArn: an SQS queue or SNS topic ARN; "" or None for none."""
    if target is None or target == "":
        return None
    parts = target.split(":") if isinstance(target, str) else []
    if len(parts) < 6 or parts[0] != "arn" or parts[2] not in ("sqs", "sns") or not parts[5]:
        raise ConfigError("DeadLetterConfig", f"The provided target arn {target!r} is invalid: a dead-letter queue "
                          "is an SQS queue or SNS topic ARN")
    return str(target)


def _int_text(value: int) -> str:
    try:
        return str(value)
    except ValueError:  # beyond the 4,300 digits Python converts
        raise ConfigError("Environment.Variables", "a value is a number too long to be text") from None


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def validate_environment(environment: Any) -> dict[str, str]:
    """`Environment.Variables`: string keys of the allowed form, no reserved keys, 4 KB in total."""
    if environment is None:
        return {}
    if not isinstance(environment, Mapping):
        raise ConfigError("Environment.Variables", f"must be a map of names to values (got {environment!r})")
    variables: dict[str, str] = {}
    for key, value in environment.items():
        if not isinstance(key, str) or not _ENV_KEY.match(key):
            raise ConfigError("Environment.Variables", f"invalid variable name {key!r}")
        if key in RESERVED_ENV_KEYS:
            raise ConfigError("Environment.Variables", f"{key} is reserved by Lambda and cannot be set")
        if isinstance(value, bool):
            value = "true" if value else "false"
        if not isinstance(value, str | int | float):
            raise ConfigError("Environment.Variables", f"value of {key} must be a string (got {value!r})")
        text = value if isinstance(value, str) else repr(value) if isinstance(value, float) else _int_text(value)
        if "\0" in text or not _encodable(text):
            raise ConfigError("Environment.Variables", f"value of {key} must be text without NUL characters or "
                              "lone surrogates (a process environment cannot hold them)")
        variables[key] = text
    size = sum(len(k.encode()) + len(v.encode()) for k, v in variables.items())
    if size > limits.ENV_VARS_MAX_BYTES:
        raise ConfigError("Environment.Variables", f"total size {size} bytes exceeds the 4 KB limit")
    return variables
