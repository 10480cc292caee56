"""Reading request members and checking them against the constraints of the API model.

Two kinds of bad input, reported as Lambda reports them:
- a body that is not JSON, or a member of the wrong JSON type: InvalidRequestContentException;
- a member that breaks a constraint of the model (required, range, length, pattern, enum): ValidationException,
  with every failure of the request in one message ("2 validation errors detected: ...; ...").
Rules of the service itself (e.g. MemorySize at most 10,240) belong to `workbench.model` and the engine.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from workbench.engine import InvalidRequestContentError, ValidationError

#: Bodies larger than this are parsed off the event loop (deployment packages arrive base64 in JSON).
_PARSE_IN_THREAD_BYTES = 256 * 1024


async def json_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        document = await asyncio.to_thread(parse_json, raw) if len(raw) > _PARSE_IN_THREAD_BYTES else parse_json(raw)
    except ValueError as exc:
        raise InvalidRequestContentError(f"Could not parse request body into json: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidRequestContentError("Could not parse request body into json: the body must be a JSON object")
    return document


def parse_json(raw: bytes) -> Any:
    """A JSON document, or ValueError for anything the rest of the workbench could not take: bad JSON, nesting
    deeper than the parser goes, integers beyond Python's 4,300 digits, and text with a lone UTF-16 surrogate
    (`"\\ud800"`), which no file, database or process environment can hold."""
    try:
        document = json.loads(raw)
    except RecursionError:
        raise ValueError("the document is nested too deeply") from None
    if _SURROGATE_ESCAPE.search(raw):
        _check_unicode(document)
    return document


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _check_unicode(document: Any) -> None:
    pending = [document]
    while pending:
        value = pending.pop()
        texts = [value] if isinstance(value, str) else list(value) if isinstance(value, dict) else []
        for text in texts:
            try:
                text.encode()
            except UnicodeEncodeError:
                raise ValueError("the document has a lone UTF-16 surrogate in a string") from None
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def _wrong_type(name: str, expected: str, value: Any) -> InvalidRequestContentError:
    return InvalidRequestContentError(f"Could not parse request body into json: member {name} must be {expected} "
                                      f"(got {json.dumps(value)[:80]})")


def _java_text(value: Any) -> str:
    """How the service prints a rejected value in its messages: lists as [a, b], maps as {k=v}."""
    if isinstance(value, list):
        return "[" + ", ".join(_java_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={_java_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, float):
        return repr(value)
    return str(value)


class Members:
    """The members of one request (a JSON body, or the query string), read with their model constraints.

    Type errors raise at once; constraint failures are collected and raised together by `check()`.
    """

    def __init__(self, document: Mapping[str, Any], prefix: str = "") -> None:
        self._document = document
        self._prefix = prefix
        self.errors: list[str] = []

    def present(self, name: str) -> bool:
        return self._document.get(name) is not None

    def _path(self, name: str) -> str:
        return self._prefix + name[:1].lower() + name[1:]

    def fail(self, name: str, value: Any, constraint: str) -> None:
        shown = "null" if value is None else f"'{_java_text(value)}'"
        self.errors.append(f"Value {shown} at '{self._path(name)}' failed to satisfy constraint: {constraint}")

    def check(self) -> None:
        if self.errors:
            count = len(self.errors)
            raise ValidationError(f"{count} validation error{'s' if count > 1 else ''} detected: "
                                  + "; ".join(self.errors))

    def _required(self, name: str, required: bool) -> None:
        if required:
            self.fail(name, None, "Member must not be null")

    def string(self, name: str, *, required: bool = False, min_length: int = 0, max_length: int | None = None,
               pattern: str | None = None, enum: tuple[str, ...] | None = None) -> str | None:
        value = self._document.get(name)
        if value is None:
            self._required(name, required)
            return None
        if not isinstance(value, str):
            raise _wrong_type(name, "a string", value)
        if len(value) < min_length:
            self.fail(name, value, f"Member must have length greater than or equal to {min_length}")
        elif max_length is not None and len(value) > max_length:
            self.fail(name, value, f"Member must have length less than or equal to {max_length}")
        elif pattern is not None and not re.fullmatch(pattern, value):
            self.fail(name, value, f"Member must satisfy regular expression pattern: {pattern}")
        elif enum is not None and value not in enum:
            self.fail(name, value, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        return value

    def integer(self, name: str, *, required: bool = False, minimum: int | None = None,
                maximum: int | None = None) -> int | None:
        value = self._document.get(name)
        if value is None:
            self._required(name, required)
            return None
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,4000}", value):  # query members arrive as text
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong_type(name, "an integer", value)
        if minimum is not None and value < minimum:
            self.fail(name, value, f"Member must have value greater than or equal to {minimum}")
        elif maximum is not None and value > maximum:
            self.fail(name, value, f"Member must have value less than or equal to {maximum}")
        return value

    def boolean(self, name: str) -> bool:
        value = self._document.get(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise _wrong_type(name, "true or false", value)
        return value

    def strings(self, name: str, *, max_items: int | None = None, min_items: int = 0,
                enum: tuple[str, ...] | None = None) -> list[str] | None:
        value = self._document.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise _wrong_type(name, "a list of strings", value)
        if len(value) < min_items:
            self.fail(name, value, f"Member must have length greater than or equal to {min_items}")
        elif max_items is not None and len(value) > max_items:
            self.fail(name, value, f"Member must have length less than or equal to {max_items}")
        elif enum is not None and any(item not in enum for item in value):
            self.fail(name, value, f"Member must satisfy constraint: [Member must satisfy enum value set: "
                                   f"[{', '.join(enum)}], Member must not be null]")
        return list(value)

    def structure(self, name: str, *, required: bool = False) -> Members | None:
        """A nested structure, read with the same error list (paths like 'environment.variables')."""
        value = self._document.get(name)
        if value is None:
            self._required(name, required)
            return None
        if not isinstance(value, dict):
            raise _wrong_type(name, "an object", value)
        nested = Members(value, self._path(name) + ".")
        nested.errors = self.errors
        return nested

    def mapping(self, name: str) -> dict[str, Any] | None:
        value = self._document.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _wrong_type(name, "an object", value)
        return value


async def decode_base64(name: str, text: str) -> bytes:
    """A base64 member (ZipFile): SDKs encode it; bad base64 is content that cannot be parsed. Large packages
    are decoded off the event loop."""
    def decode() -> bytes:
        return base64.b64decode(text, validate=True)

    try:
        return await asyncio.to_thread(decode) if len(text) > _PARSE_IN_THREAD_BYTES else decode()
    except (binascii.Error, ValueError):
        raise InvalidRequestContentError(f"Could not parse request body into json: {name} is not valid base64"
                                         ) from None
