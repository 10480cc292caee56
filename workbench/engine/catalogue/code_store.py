"""Immutable code snapshots and their deployment packages.

Every environment runs from a snapshot, never from the user's live folder, so an edit (or a ZIP upload) can
only reach environments that start after it. Each snapshot has a deployment package beside it — the ZIP that
was uploaded, or a deterministic ZIP of the folder — whose SHA-256 (base64) and size are the function's
`CodeSha256` and `CodeSize`, computed as AWS computes them.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import stat
import tempfile
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.backends.procfs import process_exists
from workbench.engine.catalogue.zipsafe import extract_zip
from workbench.engine.core.errors import InvalidPackageError, RequestTooLargeError
from workbench.fsutil import escaping_links, remove_tree, resolves_beneath, tree_size
from workbench.model.limits import UNZIPPED_MAX, ZIP_UPLOAD_MAX

#: Never part of a function's code even when CodeUri is the project folder itself.
_SKIPPED = frozenset({".workbench", ".git", "__pycache__", ".aws-sam", ".mypy_cache", ".pytest_cache"})
#: Fixed timestamp for deterministic packages: the same folder always gives the same CodeSha256.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class CodeSnapshot:
    path: Path          # the extracted code, shared read-only by every environment that runs it
    digest: str         # hex sha256 identifying the snapshot
    size: int           # unzipped bytes
    package: Path       # the deployment package (ZIP)
    code_sha256: str    # base64 sha256 of the package, as Lambda reports it
    code_size: int      # bytes of the package


class CodeStore:
    """Snapshots live under ``root/<digest>``, packages under ``root/packages/<digest>.zip``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.packages = root / "packages"

    def snapshot(self, source: Path) -> CodeSnapshot:
        if source.is_file():
            return self.from_zip(source.read_bytes(), limit_zipped=False)
        return self.from_folder(source)

    def from_folder(self, folder: Path) -> CodeSnapshot:
        files = _folder_files(folder)
        unzipped = sum(entry.full.stat().st_size for entry in files if entry.link is None)
        if unzipped > UNZIPPED_MAX:
            raise InvalidPackageError(f"Unzipped size must be smaller than {UNZIPPED_MAX} bytes ({folder} holds "
                                      f"{unzipped} bytes)")
        digest = hashlib.sha256()
        for entry in files:
            if entry.link is not None:
                digest.update(entry.relative.encode() + b"\0l" + entry.link.encode() + b"\0")
                continue
            digest.update(entry.relative.encode() + b"\0" + (b"x" if os.access(entry.full, os.X_OK) else b"-"))
            with open(entry.full, "rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
        return self._materialise(digest.hexdigest(), lambda target: _copy_files(files, target), None)

    def from_zip(self, data: bytes, *, limit_zipped: bool = True) -> CodeSnapshot:
        """A deployment package uploaded directly: at most 50 MB zipped, 250 MB unzipped (spec §8)."""
        if limit_zipped and len(data) > ZIP_UPLOAD_MAX:
            raise RequestTooLargeError(f"Request must be smaller than {ZIP_UPLOAD_MAX} bytes for the "
                                       "CreateFunction operation")
        key = hashlib.sha256(data).hexdigest()
        return self._materialise(key, lambda target: extract_zip(data, target, UNZIPPED_MAX), data)

    def from_inline(self, filename: str, text: str) -> CodeSnapshot:
        key = hashlib.sha256(filename.encode() + b"\0" + text.encode()).hexdigest()

        def write(target: Path) -> None:
            target.mkdir(parents=True)
            (target / filename).write_text(text)

        return self._materialise(key, write, None)

    def remove_leftovers(self) -> int:
        """Remove what a crashed workbench left half-written: staging folders (`.<key>-<pid>-*`, a package
        half-extracted) and temporary package files (`.<name>.<pid>-<thread>.tmp`) of processes that are gone,
        and staging folders of workbenches older than the pid in the name. A live process's are kept (another
        workbench may be extracting into the same store). Blocking: run off the loop. Returns how many."""
        removed = 0
        for folder, kind in ((self.root, "staging"), (self.packages, "temporary")):
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                owner = _leftover_owner(entry.name, kind)
                if owner is None or (owner > 0 and process_exists(owner)):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    remove_tree(Path(entry.path))
                else:
                    Path(entry.path).unlink(missing_ok=True)
                removed += 1
        return removed

    def existing(self, digest: str) -> CodeSnapshot | None:
        """A snapshot made earlier (by this or a previous session), or None if it is gone."""
        final, meta = self.root / digest, self.packages / f"{digest}.json"
        if not (final.is_dir() and meta.is_file()):
            return None
        info = json.loads(meta.read_text())
        return CodeSnapshot(final, digest, info["size"], self.packages / f"{digest}.zip", info["sha256"],
                            info["code_size"])

    def _materialise(self, key: str, build: Callable[[Path], object], package: bytes | None) -> CodeSnapshot:
        found = self.existing(key)
        if found is not None:
            return found
        final = self.root / key
        self.root.mkdir(parents=True, exist_ok=True)
        self.packages.mkdir(parents=True, exist_ok=True)
        if not final.is_dir():
            # The pid in the name tells `remove_leftovers` whose it is: a crash mid-extraction leaves it behind.
            staging = Path(tempfile.mkdtemp(prefix=f".{key[:8]}-{os.getpid()}-", dir=self.root))
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
        data = package if package is not None else deterministic_zip(final)
        zip_path = self.packages / f"{key}.zip"
        _write_atomically(zip_path, data)
        size = tree_size(final)
        sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
        _write_atomically(self.packages / f"{key}.json",
                          json.dumps({"size": size, "sha256": sha, "code_size": len(data)}).encode())
        return CodeSnapshot(final, key, size, zip_path, sha, len(data))


def _leftover_owner(name: str, kind: str) -> int | None:
    """The pid that wrote a leftover ``name`` (0: unknown, an older workbench's), or None when ``name`` is not
    one (a snapshot, a package, anything else)."""
    if not name.startswith("."):
        return None
    if kind == "staging":
        parts = name[1:].split("-")
        return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0 if len(parts) == 2 else None
    if not name.endswith(".tmp"):
        return None
    owner = name[:-len(".tmp")].rsplit(".", 1)[-1].split("-", 1)[0]
    return int(owner) if owner.isdigit() else None


def deterministic_zip(folder: Path) -> bytes:
    """The folder as a ZIP with sorted entries, fixed timestamps and the executable bit kept."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for root, dirs, files in os.walk(folder):
            linked_dirs = [name for name in dirs if os.path.islink(os.path.join(root, name))]
            dirs[:] = sorted(name for name in dirs if name not in linked_dirs)
            for name in sorted(files + linked_dirs):
                full = Path(root) / name
                info = zipfile.ZipInfo(full.relative_to(folder).as_posix(), _ZIP_EPOCH)
                info.create_system = 3
                if full.is_symlink():
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                    archive.writestr(info, os.readlink(full))
                    continue
                mode = 0o755 if os.access(full, os.X_OK) else 0o644
                info.external_attr = (stat.S_IFREG | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, full.read_bytes())
    return buffer.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    # Unique per thread too: two snapshots of one folder (functions sharing a CodeUri, reloaded together)
    # run in two worker threads of the same process.
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


@dataclass(frozen=True, slots=True)
class _Entry:
    relative: str
    full: Path
    link: str | None = None   # the target, for a symbolic link (kept as a link, never followed)


def _folder_files(folder: Path) -> list[_Entry]:
    """The files and links of a CodeUri folder, walked without following links (so a link loop cannot hang
    it and a link cannot pull in files from elsewhere). A link must stay inside the folder, as in a ZIP."""
    if not folder.is_dir():
        raise InvalidPackageError(f"code folder {folder} does not exist")
    found: list[_Entry] = []
    for root, dirs, files in os.walk(folder):
        base = Path(root)
        names = sorted(files + [d for d in dirs if (base / d).is_symlink()])
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED and not (base / d).is_symlink())
        for name in names:
            full = base / name
            relative = full.relative_to(folder).as_posix()
            if full.is_symlink():
                if not resolves_beneath(folder, relative):
                    raise InvalidPackageError(f"{folder}: the link {relative} -> {os.readlink(full)} points outside "
                                              "the code folder")
                found.append(_Entry(relative, full, os.readlink(full)))
            elif full.is_file():
                found.append(_Entry(relative, full))
    return found


def _copy_files(files: list[_Entry], target: Path) -> None:
    """Files first, links last: nothing is ever written through a link."""
    target.mkdir(parents=True)
    for entry in files:
        if entry.link is None:
            destination = target / entry.relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(entry.full, destination, follow_symlinks=False)
    links = [entry for entry in files if entry.link is not None]
    for entry in links:
        destination = target / entry.relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(entry.link or "", destination)
    escaping = escaping_links(target, [entry.relative for entry in links])
    if escaping:
        raise InvalidPackageError(f"the link {escaping[0]} points outside the code folder")
