"""The behaviour suite runs once per backend, so every backend is held to the same standard (the `backend`
fixture: the process backend in its sandbox and without one, and Docker)."""

from __future__ import annotations

from tests.backend_matrix import backend

__all__ = ["backend"]
