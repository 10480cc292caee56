"""Backends by name, imported lazily so the docker SDK is only loaded when the Docker backend is used."""

from __future__ import annotations

import importlib

from workbench.backends.base import Backend

BACKENDS = {
    "process": ("workbench.backends.process", "ProcessBackend"),
    "docker": ("workbench.backends.docker", "DockerBackend"),
}


def create_backend(name: str) -> Backend:
    try:
        module_name, class_name = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown backend {name!r}; choose one of: {', '.join(BACKENDS)}") from None
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"the {name} backend is not available: {exc}") from None
    backend: Backend = getattr(module, class_name)()
    return backend
