"""Local code locations (`CodeUri`, `ContentUri`, `Code`): where they are, and that walking them ends.

The engine snapshots a code folder by walking it and following symbolic links (a link inside a package is
part of the package, as on AWS). A link back to one of its own ancestors makes that walk endless, so the
folder is walked here first, directories only, and such a loop is a template error naming the link.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

#: Folders the engine leaves out of a package (tools' caches, the workbench's own state, version control).
SKIPPED_FOLDERS = frozenset({".workbench", ".git", "__pycache__", ".aws-sam", ".mypy_cache", ".pytest_cache"})
#: Folders a package may hold once links are followed (links can repeat a tree: each copy counts).
MAX_FOLDERS = 50_000


class CodePathError(ValueError):
    """The location is not usable; the message says why."""


def local_code_path(base_dir: Path, value: object, checked: dict[str, Path] | None = None) -> Path:
    """The folder or .zip file ``value`` names, relative to the template. Raises CodePathError.

    ``checked`` remembers locations already checked while loading one template (functions share folders).
    """
    if checked is not None and isinstance(value, str) and value in checked:
        return checked[value]
    if isinstance(value, dict) or (isinstance(value, str) and value.startswith("s3://")):
        raise CodePathError("S3 locations are not reachable offline; point it at a local folder or .zip file")
    if not isinstance(value, str) or not value:
        raise CodePathError(f"must be a path (got {value!r})")
    try:
        location = (base_dir / value).resolve()
        exists, is_file = location.exists(), location.is_file()
    except (OSError, RuntimeError) as exc:   # 3.11 raises RuntimeError for a loop, later versions OSError
        raise CodePathError(f"{base_dir / value} cannot be resolved ({exc})") from None
    if not exists:
        raise CodePathError(f"{location} does not exist")
    if is_file:
        if location.suffix.lower() != ".zip":
            raise CodePathError(f"{location} is neither a folder nor a .zip file")
        return location
    problem = find_link_loop(location)
    if problem is not None:
        raise CodePathError(problem)
    if checked is not None:
        checked[value] = location
    return location


def find_link_loop(folder: Path) -> str | None:
    """What makes walking ``folder`` (following links) endless or unbounded, or None."""
    root = os.path.realpath(folder)
    stack: list[tuple[str, tuple[str, ...]]] = [(str(folder), (root,))]
    visited = 0
    while stack:
        directory, ancestors = stack.pop()
        visited += 1
        if visited > MAX_FOLDERS:
            return f"{folder} holds more than {MAX_FOLDERS:,} folders once symbolic links are followed"
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue   # unreadable: the snapshot reports it with its own error
        for entry in entries:
            if entry.name in SKIPPED_FOLDERS:
                continue
            try:
                if not entry.is_dir():
                    continue
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    return f"symbolic link loop at {os.path.relpath(entry.path, folder)}"
                continue
            if entry.is_symlink():
                real = os.path.realpath(entry.path)
                if real in ancestors:
                    return (f"symbolic link loop: {os.path.relpath(entry.path, folder)} -> "
                            f"{os.readlink(entry.path)} leads back to a folder that contains it")
            else:
                real = os.path.join(ancestors[-1], entry.name)
            stack.append((entry.path, (*ancestors, real)))
    return None
