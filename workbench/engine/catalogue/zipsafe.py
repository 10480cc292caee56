"""Extract deployment packages without letting them escape their folder (spec §8, §11).

Rejected with a message that names the entry: absolute paths, `..` components, entries beneath a link of the
same package, links whose target leaves the package (also through a chain of links that each look harmless,
such as `a/b -> ..` then `a/b/c -> ..`), and archives whose unzipped size exceeds Lambda's 250 MB. Lambda
reports these at upload as InvalidParameterValueException (`InvalidPackageError`).

Nothing is ever written through a link: files and folders are written first, into a tree that holds no link
yet, and the links are made last, each beside real folders only; then every link is followed in the
finished tree, as the runtime would follow it, and must stay inside. Links inside the package keep working.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
import zlib
from pathlib import Path

from workbench.engine.core.errors import InvalidPackageError
from workbench.fsutil import escaping_links, remove_tree
from workbench.model.limits import UNZIPPED_MAX

_CHUNK = 1024 * 1024
_PREFIX = "Could not unzip uploaded file"


def _safe_member_path(name: str) -> str:
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        raise InvalidPackageError(f"{_PREFIX}: entry {name!r} has an absolute path")
    parts = [part for part in normalised.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise InvalidPackageError(f"{_PREFIX}: entry {name!r} escapes the package (..)")
    return "/".join(parts)


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _beneath_link(relative: str, links: set[str]) -> str | None:
    """The link of this package that ``relative`` would be written through, if any."""
    parts = relative.split("/")
    for depth in range(1, len(parts)):
        ancestor = "/".join(parts[:depth])
        if ancestor in links:
            return ancestor
    return None


def extract_zip(source: Path | bytes, destination: Path, limit: int = UNZIPPED_MAX) -> int:
    """Extract ``source`` into ``destination`` (created, must not exist). Returns the unzipped size."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidPackageError(f"{_PREFIX}. Please check your file, then try to upload again. ({exc})") from None
    with archive:
        members = archive.infolist()
        declared = sum(info.file_size for info in members)
        if declared > limit:
            raise InvalidPackageError(f"Unzipped size must be smaller than {limit} bytes (package unzips to "
                                      f"{declared} bytes)")
        entries = [(relative, info) for info in members if (relative := _safe_member_path(info.filename))]
        links = {relative: info for relative, info in entries if _is_symlink(info)}
        destination.mkdir(parents=True)
        try:
            return _extract(archive, entries, links, destination, limit)
        except BaseException:
            remove_tree(destination)  # a refused package leaves nothing behind, links least of all
            raise


def _extract(archive: zipfile.ZipFile, entries: list[tuple[str, zipfile.ZipInfo]],
             links: dict[str, zipfile.ZipInfo], destination: Path, limit: int) -> int:
    link_names = set(links)
    written = 0
    for relative, info in entries:
        through = _beneath_link(relative, link_names)
        if through is not None:
            raise InvalidPackageError(f"{_PREFIX}: entry {info.filename!r} is beneath the link {through!r}")
        if relative in links:
            continue
        try:
            written = _write_entry(archive, info, destination / relative, written, limit)
        except OSError as exc:  # a file and a folder of one name, say
            raise InvalidPackageError(f"{_PREFIX}: entry {info.filename!r} cannot be written "
                                      f"({exc.strerror})") from None
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, zlib.error) as exc:
            # a bad checksum, an encrypted entry, an unknown compression method, a truncated stream
            raise InvalidPackageError(f"{_PREFIX}: entry {info.filename!r} cannot be read ({exc})") from None
    for relative, info in links.items():
        target = archive.read(info).decode("utf-8", "replace")
        if target.startswith("/") or "\0" in target:
            raise InvalidPackageError(f"{_PREFIX}: link {info.filename!r} -> {target!r} points outside the "
                                      "package")
        path = destination / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, path)
        except OSError as exc:
            raise InvalidPackageError(f"{_PREFIX}: link {info.filename!r} cannot be written "
                                      f"({exc.strerror})") from None
    for relative in escaping_links(destination, list(links)):
        target = os.readlink(destination / relative)
        raise InvalidPackageError(f"{_PREFIX}: link {links[relative].filename!r} -> {target!r} points outside "
                                  "the package")
    return written


def _write_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, written: int, limit: int) -> int:
    """Write one folder or file (the tree holds no link yet; O_NOFOLLOW all the same)."""
    if info.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return written
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with archive.open(info) as reader, open(fd, "wb") as writer:
        while chunk := reader.read(_CHUNK):
            written += len(chunk)
            if written > limit:
                raise InvalidPackageError(f"Unzipped size must be smaller than {limit} bytes")
            writer.write(chunk)
    mode = (info.external_attr >> 16) & 0o777 if info.create_system == 3 else 0
    os.chmod(target, (mode | 0o444) if mode else 0o644)
    return written
