"""Watching the project's files: the template and every function's code folder.

Qt's watcher (inotify on Linux) reports a directory when an entry is created, removed or renamed in it
(editors that save by writing a new file and renaming it over the old one), and a file when it is written
in place. Neither says what changed, and one save is often several notifications, so the watcher keeps a
stamp (modification time, size) per file, collects notified paths for a short quiet period, and then
reports the files whose stamp really changed, once. The workbench's own writes are recorded with
`note_written` first, so a save in the editor is not reported back as an outside edit.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

#: Notifications closer together than this are one change (an editor's write, rename and chmod).
QUIET_MS = 150
#: Folders that hold installed dependencies or tool state, not code a person edits.
IGNORED_DIRS = frozenset({"node_modules", "__pycache__", ".git", ".workbench", ".venv", "venv", ".aws-sam",
                          ".mypy_cache", ".pytest_cache"})
#: At most this many files are watched (each is an inotify watch; the user's limit is shared).
MAX_FILES = 2000

Stamp = tuple[int, int]


def _stamp(path: Path) -> Stamp | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size)


def _entries(folder: Path) -> tuple[list[Path], list[Path]]:
    """The files and the (not ignored) sub-folders directly in ``folder``."""
    files: list[Path] = []
    folders: list[Path] = []
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in IGNORED_DIRS:
                        folders.append(Path(entry.path))
                elif entry.is_file():
                    files.append(Path(entry.path))
    except OSError:
        pass
    return files, folders


class FileWatcher(QObject):
    #: The files (resolved paths) that changed, appeared or disappeared since the last report.
    changed = Signal(list)

    def __init__(self, parent: QObject | None = None, *, quiet_ms: int = QUIET_MS) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._notified)
        self._watcher.fileChanged.connect(self._notified)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(quiet_ms)
        self._timer.timeout.connect(self.check)
        self._stamps: dict[Path, Stamp | None] = {}
        self._folders: set[Path] = set()
        self._single_files: set[Path] = set()
        self._dirty: set[Path] = set()

    # -- what is watched --------------------------------------------------------------------------------
    def watch(self, folders: Iterable[Path], files: Iterable[Path]) -> None:
        """Watch exactly these folders (recursively) and single files; earlier paths are dropped."""
        self.clear()
        self._single_files = {path.resolve() for path in files}
        for path in self._single_files:
            self._stamps[path] = _stamp(path)
        for folder in {folder.resolve() for folder in folders}:
            self._add_tree(folder)
        self._sync_watcher()

    def clear(self) -> None:
        watched = self._watcher.files() + self._watcher.directories()
        if watched:
            self._watcher.removePaths(watched)
        self._stamps.clear()
        self._folders.clear()
        self._single_files.clear()
        self._dirty.clear()
        self._timer.stop()

    @property
    def watched_files(self) -> list[Path]:
        return sorted(self._stamps)

    def _add_tree(self, folder: Path, *, new: bool = False) -> None:
        """Watch ``folder`` and what is below it; ``new``: it appeared after watching began, so its files are
        changes to report (recorded as absent until the check compares them)."""
        pending = [folder]
        while pending:
            current = pending.pop()
            if current in self._folders or not current.is_dir():
                continue
            self._folders.add(current)
            files, folders = _entries(current)
            for path in files:
                if len(self._stamps) < MAX_FILES:
                    self._stamps.setdefault(path, None if new else _stamp(path))
            pending.extend(folders)

    def _sync_watcher(self) -> None:
        wanted = {str(path) for path in self._folders} | {str(path) for path, stamp in self._stamps.items()
                                                          if stamp is not None}
        # The template's folder too: an editor that renames over the template replaces its watch.
        wanted |= {str(path.parent) for path in self._single_files}
        present = set(self._watcher.files()) | set(self._watcher.directories())
        missing = sorted(wanted - present)
        if missing:
            self._watcher.addPaths(missing)

    # -- the workbench's own writes ---------------------------------------------------------------------
    def note_written(self, path: Path) -> None:
        """``path`` was just written by the workbench: its new stamp is not an outside change."""
        resolved = path.resolve()
        if resolved in self._stamps or any(resolved.is_relative_to(folder) for folder in self._folders):
            self._stamps[resolved] = _stamp(resolved)
            self._sync_watcher()

    # -- notifications ----------------------------------------------------------------------------------
    def _notified(self, path: str) -> None:
        self._dirty.add(Path(path))
        self._timer.start()

    def check(self) -> list[Path]:
        """Compare the notified paths' stamps with the recorded ones; report and return what changed."""
        self._timer.stop()
        dirty, self._dirty = self._dirty, set()
        candidates: set[Path] = set()
        for path in dirty:
            if path in self._folders or path in {p.parent for p in self._single_files}:
                files, folders = _entries(path)
                candidates.update(f for f in files if path in self._folders or f in self._single_files)
                candidates.update(known for known in self._stamps if known.parent == path)
                for folder in folders:
                    if path in self._folders and folder not in self._folders:
                        self._add_tree(folder, new=True)
                        candidates.update(known for known in self._stamps if known.is_relative_to(folder))
            else:
                candidates.add(path)
        changed: list[Path] = []
        for path in sorted(candidates):
            if path not in self._stamps and len(self._stamps) >= MAX_FILES:
                continue
            stamp = _stamp(path)
            if path not in self._stamps and stamp is None:
                continue
            if self._stamps.get(path) != stamp:
                self._stamps[path] = stamp
                changed.append(path)
        self._folders = {folder for folder in self._folders if folder.is_dir()}
        self._sync_watcher()
        if changed:
            self.changed.emit(changed)
        return changed
