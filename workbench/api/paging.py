"""Marker/MaxItems paging of List* operations.

A marker is the opaque form of the sort key of the first item of the next page, so paging stays right when
items are added or deleted between pages (the next page starts where that item is or would be).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from workbench.api.validation import Members
from workbench.engine import InvalidParameterValueError

T = TypeVar("T")


def _encode(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def _decode(marker: str) -> str:
    try:
        return base64.b64decode(marker.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidParameterValueError(f"Invalid Marker: {marker}") from None


def page(items: Sequence[T], sort_key: Callable[[T], str], query: Members, *, default_size: int = 50,
         max_size: int = 10_000) -> tuple[list[T], str | None]:
    """One page of ``items`` (sorted by ``sort_key``) per the request's Marker and MaxItems; and the next
    marker, or None on the last page."""
    marker = query.string("Marker")
    size = query.integer("MaxItems", minimum=1, maximum=max_size)
    query.check()
    ordered = sorted(items, key=sort_key)
    start = 0
    if marker:
        resume = _decode(marker)
        start = next((index for index, item in enumerate(ordered) if sort_key(item) >= resume), len(ordered))
    end = start + (size or default_size)
    next_marker = _encode(sort_key(ordered[end])) if end < len(ordered) else None
    return list(ordered[start:end]), next_marker


def number_key(number: int) -> str:
    """A sort key for version numbers ($LATEST is 0) that orders as the numbers do."""
    return f"{number:012d}"
