"""The one error a template can raise, and where in the template it points."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class TemplateError(ValueError):
    """A template is invalid. The message is ``<file>: <resource>.<property>: <what is wrong>``."""

    def __init__(self, path: Path, message: str, resource: str | None = None, prop: str | None = None) -> None:
        where = ".".join(part for part in (resource, prop) if part)
        super().__init__(f"{path}: {where}: {message}" if where else f"{path}: {message}")
        self.path = path
        self.resource = resource
        self.prop = prop
        self.problem = message


def split_location(keys: Sequence[str]) -> tuple[str | None, str | None]:
    """A key path in the document as (resource, property): ``Resources.Api.Properties.Handler`` is
    (``Api``, ``Handler``); outside Resources the path itself is the place (``Globals``, ``Function.Timeout``)."""
    if not keys:
        return None, None
    if keys[0] == "Resources" and len(keys) >= 2:
        rest = keys[3:] if len(keys) >= 3 and keys[2] == "Properties" else keys[2:]
        return keys[1], ".".join(rest) or None
    return keys[0], ".".join(keys[1:]) or None
