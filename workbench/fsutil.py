"""File-tree helpers shared by code snapshots and backends."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path


def link_tree(source: Path, destination: Path) -> None:
    """Make ``destination`` a copy of ``source`` using hard links where possible (cheap, and safe because
    sources are immutable snapshots). Files already in ``destination`` are replaced, so calling this for
    several sources in order lets later ones win, as layers do in /opt."""
    destination.mkdir(parents=True, exist_ok=True)
    with os.scandir(source) as entries:
        for entry in entries:
            target = destination / entry.name
            if entry.is_symlink():
                _remove(target)
                os.symlink(os.readlink(entry.path), target)
            elif entry.is_dir():
                if target.is_symlink() or (target.exists() and not target.is_dir()):
                    _remove(target)
                link_tree(Path(entry.path), target)
            else:
                _remove(target)
                try:
                    os.link(entry.path, target)
                except OSError:
                    shutil.copy2(entry.path, target)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def remove_tree(path: Path) -> None:
    """Remove a folder, tolerating files made read-only and folders already gone."""
    def make_writable_and_retry(function: object, failed: str, _exc: object) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(failed), 0o755)
            os.chmod(failed, 0o755)
        with contextlib.suppress(OSError):
            if os.path.isdir(failed) and not os.path.islink(failed):
                shutil.rmtree(failed, ignore_errors=True)
            else:
                os.unlink(failed)

    if not (path.exists() or path.is_symlink()):
        return
    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=make_writable_and_retry)
    else:
        shutil.rmtree(path, onerror=make_writable_and_retry)


def tree_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total
