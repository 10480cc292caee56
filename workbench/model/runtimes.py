"""The catalogue of Lambda runtime identifiers and the language family each belongs to.

Pure data: which backend can launch which family is decided in `workbench.backends`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Family(StrEnum):
    PYTHON = "python"
    NODEJS = "nodejs"
    PROVIDED = "provided"
    JAVA = "java"
    RUBY = "ruby"
    DOTNET = "dotnet"


@dataclass(frozen=True, slots=True)
class RuntimeInfo:
    """A runtime identifier such as ``python3.12``; ``version`` is the language version it names."""

    name: str
    family: Family
    version: str

    @property
    def execution_env(self) -> str | None:
        """`AWS_EXECUTION_ENV`; AWS leaves it unset for OS-only (`provided*`) runtimes."""
        return None if self.family is Family.PROVIDED else f"AWS_Lambda_{self.name}"

    @property
    def runtime_version_label(self) -> str:
        """The `Runtime Version:` shown in INIT_START, e.g. ``python:3.12.workbench``."""
        if self.family is Family.PROVIDED:
            return f"provided:{self.version or 'al1'}.workbench"
        return f"{self.family.value}:{self.version}.workbench"


def _catalogue() -> dict[str, RuntimeInfo]:
    entries: list[RuntimeInfo] = []
    for minor in range(8, 15):
        entries.append(RuntimeInfo(f"python3.{minor}", Family.PYTHON, f"3.{minor}"))
    for major in (16, 18, 20, 22, 24):
        entries.append(RuntimeInfo(f"nodejs{major}.x", Family.NODEJS, str(major)))
    entries += [
        RuntimeInfo("provided", Family.PROVIDED, ""),
        RuntimeInfo("provided.al2", Family.PROVIDED, "al2"),
        RuntimeInfo("provided.al2023", Family.PROVIDED, "al2023"),
        RuntimeInfo("go1.x", Family.PROVIDED, "go1.x"),
    ]
    for version in ("8", "8.al2", "11", "17", "21"):
        entries.append(RuntimeInfo(f"java{version}", Family.JAVA, version))
    for version in ("2.7", "3.2", "3.3", "3.4"):
        entries.append(RuntimeInfo(f"ruby{version}", Family.RUBY, version))
    for version in ("6", "8", "9"):
        entries.append(RuntimeInfo(f"dotnet{version}", Family.DOTNET, version))
    return {entry.name: entry for entry in entries}


RUNTIMES: dict[str, RuntimeInfo] = _catalogue()


#: Runtimes AWS no longer lets anyone create or update a function with, and what it recommends instead.
RETIRED: dict[str, str] = {"go1.x": "provided.al2023"}


def retired_message(name: str) -> str | None:
    """AWS's refusal for a retired runtime (InvalidParameterValueException), or None when it is not retired."""
    successor = RETIRED.get(name)
    if successor is None:
        return None
    return (f"The runtime parameter of {name} is no longer supported for creating or updating AWS Lambda "
            f"functions. We recommend you use the new runtime ({successor}) while creating or updating functions.")


def lookup_runtime(name: str) -> RuntimeInfo:
    """Raises KeyError with the list of known runtimes when ``name`` is not one of them."""
    try:
        return RUNTIMES[name]
    except KeyError:
        known = ", ".join(sorted(RUNTIMES))
        raise KeyError(f"unknown runtime {name!r}; known runtimes: {known}") from None
