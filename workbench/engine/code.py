"""Immutable code snapshots. Every environment runs from a snapshot, never from the user's live folder,
so an edit (or a ZIP upload) can only reach environments that start after it."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.engine.errors import InvalidZipFileError
from workbench.engine.zipsafe import extract_zip
from workbench.fsutil import remove_tree, tree_size

#: Never part of a function's code even when CodeUri is the project folder itself.
_SKIPPED = frozenset({".workbench", ".git", "__pycache__", ".aws-sam", ".mypy_cache", ".pytest_cache"})


@dataclass(frozen=True, slots=True)
class CodeSnapshot:
    path: Path
    digest: str   # hex sha256 of the content: identifies the snapshot
    size: int     # unzipped bytes


class CodeStore:
    """Snapshots live under ``root/<digest>`` and are shared by every environment that runs them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def snapshot(self, source: Path) -> CodeSnapshot:
        if source.is_file():
            return self.from_zip(source.read_bytes())
        return self.from_folder(source)

    def from_folder(self, folder: Path) -> CodeSnapshot:
        files = _folder_files(folder)
        digest = hashlib.sha256()
        for relative, full in files:
            digest.update(relative.encode() + b"\0" + (b"x" if os.access(full, os.X_OK) else b"-"))
            with open(full, "rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
        key = digest.hexdigest()
        return self._materialise(key, lambda target: _copy_files(files, target))

    def from_zip(self, data: bytes) -> CodeSnapshot:
        key = hashlib.sha256(data).hexdigest()
        return self._materialise(key, lambda target: extract_zip(data, target))

    def from_inline(self, filename: str, text: str) -> CodeSnapshot:
        key = hashlib.sha256(filename.encode() + b"\0" + text.encode()).hexdigest()

        def write(target: Path) -> None:
            target.mkdir(parents=True)
            (target / filename).write_text(text)

        return self._materialise(key, write)

    def _materialise(self, key: str, build: Callable[[Path], object]) -> CodeSnapshot:
        final = self.root / key
        if not final.is_dir():
            self.root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{key[:8]}-", dir=self.root))
            target = staging / "code"
            try:
                build(target)
                try:
                    target.rename(final)
                except OSError:
                    if not final.is_dir():  # another process won the race: theirs is identical
                        raise
            finally:
                remove_tree(staging)
        return CodeSnapshot(final, key, tree_size(final))


def _folder_files(folder: Path) -> list[tuple[str, Path]]:
    if not folder.is_dir():
        raise InvalidZipFileError(f"code folder {folder} does not exist")
    found: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED)
        for name in sorted(files):
            full = Path(root) / name
            if full.is_file():
                found.append((full.relative_to(folder).as_posix(), full))
    return found


def _copy_files(files: list[tuple[str, Path]], target: Path) -> None:
    target.mkdir(parents=True)
    for relative, full in files:
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(full, destination)
