"""Which file holds a function's handler, and which functions a saved file belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from workbench.model.function import FunctionConfig
from workbench.model.runtimes import Family, lookup_runtime

_EXTENSIONS = {
    Family.PYTHON: (".py",),
    Family.NODEJS: (".js", ".mjs", ".cjs", ".ts"),
}
_ANY_SOURCE = (".py", ".js", ".mjs", ".cjs", ".ts", ".rb", ".java", ".cs", ".go", ".ps1", ".sh")


def code_folder(config: FunctionConfig) -> Path | None:
    """The function's code folder, when it is one (not a ZIP, not inline code)."""
    if config.code_uri is not None and config.code_uri.is_dir():
        return config.code_uri
    return None


def handler_file(config: FunctionConfig) -> Path | None:
    """The file that defines the handler, found the way the runtime would look for it."""
    folder = code_folder(config)
    if folder is None:
        return None
    try:
        family: Family | None = lookup_runtime(config.runtime).family
    except (KeyError, ValueError):
        family = None
    module = config.handler.rsplit(".", 1)[0] if "." in config.handler else config.handler
    candidates: list[Path] = []
    if family in _EXTENSIONS:
        base = module.replace(".", "/") if family is Family.PYTHON else module
        candidates += [folder / f"{base}{ext}" for ext in _EXTENSIONS[family]]
    candidates.append(folder / "bootstrap")
    if "::" in config.handler:   # Java / .NET: Package.Class::method
        class_name = config.handler.split("::")[0].rsplit(".", 1)[-1]
        candidates += sorted(folder.rglob(f"{class_name}.*"))
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    sources = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in _ANY_SOURCE)
    return sources[0] if sources else None


def functions_owning(path: Path, functions: Iterable[FunctionConfig]) -> list[str]:
    """Names of the functions whose code folder contains ``path`` (an edit there needs their reload)."""
    resolved = path.resolve()
    owners = []
    for config in functions:
        folder = code_folder(config)
        if folder is not None and resolved.is_relative_to(folder.resolve()):
            owners.append(config.name)
    return owners
