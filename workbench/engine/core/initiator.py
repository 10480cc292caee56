"""Who asked for a change: the HTTP API, the GUI, the CLI, or the template being (re)loaded.

Carried in a context variable rather than through every control-plane signature, so a face says it once
(``with initiated_by("gui"): ...``) around whatever it awaits, and concurrent requests from different faces
never see each other's value (each asyncio task copies the context it was created in).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

Initiator = Literal["api", "gui", "cli", "template", "engine", "pipeline"]

_current: ContextVar[Initiator] = ContextVar("workbench_initiator", default="engine")


def current_initiator() -> Initiator:
    return _current.get()


@contextmanager
def initiated_by(initiator: Initiator) -> Iterator[None]:
    token = _current.set(initiator)
    try:
        yield
    finally:
        _current.reset(token)
