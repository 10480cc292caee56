"""Lambda ARNs and function identifiers (spec §7): names, `name:qualifier`, partial and full ARNs."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
LATEST = "$LATEST"

_FULL_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:"
    r"(?P<name>[a-zA-Z0-9-_.]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9-_]+))?$"
)
_PARTIAL_ARN = re.compile(
    r"^(?P<account>\d{12}):function:(?P<name>[a-zA-Z0-9-_.]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9-_]+))?$"
)
_NAME = re.compile(r"^(?P<name>[a-zA-Z0-9-_.]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9-_]+))?$")
#: The FunctionName pattern of the API model, quoted in validation errors.
FUNCTION_NAME_PATTERN = (r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
                         r"([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?")
ALIAS_NAME = re.compile(r"^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$")


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """What a caller named: a function and, optionally, a version or alias."""

    name: str
    qualifier: str | None = None


def parse_function_ref(text: str) -> FunctionRef:
    """Parse a name, `name:qualifier`, partial ARN or full ARN. Raises ValueError when it is none of them."""
    for pattern in (_FULL_ARN, _PARTIAL_ARN, _NAME):
        match = pattern.match(text)
        if match:
            return FunctionRef(match["name"], match["qualifier"])
    raise ValueError(f"invalid function name or ARN: {text!r}")


def function_arn(name: str, qualifier: str | None = None, *, region: str = DEFAULT_REGION,
                 account: str = DEFAULT_ACCOUNT) -> str:
    base = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{base}:{qualifier}" if qualifier else base


def layer_arn(name: str, version: int | None = None, *, region: str = DEFAULT_REGION,
              account: str = DEFAULT_ACCOUNT) -> str:
    base = f"arn:aws:lambda:{region}:{account}:layer:{name}"
    return f"{base}:{version}" if version is not None else base


def runtime_version_arn(label: str, region: str = DEFAULT_REGION) -> str:
    """The ARN of a runtime version (INIT_START's `Runtime Version ARN`, RuntimeVersionConfig), derived from the
    version label the backend reports (e.g. ``python:3.12.1``)."""
    return f"arn:aws:lambda:{region}::runtime:{hashlib.sha256(label.encode()).hexdigest()}"


@dataclass(frozen=True, slots=True)
class LayerRef:
    """A layer ARN's name and version (None for an unversioned layer ARN)."""

    name: str
    version: int | None


def parse_layer_arn(text: str) -> LayerRef | None:
    """``arn:aws:lambda:REGION:ACCOUNT:layer:NAME[:VERSION]`` -> its name and version; None if it is not one."""
    parts = text.split(":")
    if len(parts) not in (7, 8) or parts[0] != "arn" or parts[5] != "layer" or not parts[6]:
        return None
    if len(parts) == 7:
        return LayerRef(parts[6], None)
    return LayerRef(parts[6], int(parts[7])) if parts[7].isdecimal() else None
