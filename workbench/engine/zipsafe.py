"""Extract deployment packages without letting them escape their folder (spec §8, §11).

Rejected with a message that names the entry: absolute paths, `..` components, links pointing outside the
package, and archives whose unzipped size exceeds Lambda's 250 MB. Lambda reports these at upload as
InvalidParameterValueException (`InvalidPackageError`).
"""

from __future__ import annotations

import errno
import io
import os
import posixpath
import stat
import zipfile
import zlib
from pathlib import Path

from workbench.engine.errors import InvalidPackageError
from workbench.model.limits import UNZIPPED_MAX

_CHUNK = 1024 * 1024


def _safe_member_path(name: str) -> str:
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        raise InvalidPackageError(f"Could not unzip uploaded file: entry {name!r} has an absolute path")
    parts = [part for part in normalised.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise InvalidPackageError(f"Could not unzip uploaded file: entry {name!r} escapes the package (..)")
    return "/".join(parts)


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


#: File-system errors an archive's own entries cause (a name too long, a file where its entry needs a folder, a
#: folder where it needs a file, two entries of one name): the package's fault, reported as such.
_ENTRY_ERRNOS = frozenset({errno.ENAMETOOLONG, errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.EILSEQ})


def extract_zip(source: Path | bytes, destination: Path, limit: int = UNZIPPED_MAX) -> int:
    """Extract ``source`` into ``destination`` (created, must not exist). Returns the unzipped size.
    An archive that cannot be read or extracted (corrupt or encrypted entries, unsupported compression,
    conflicting or over-long names) is an `InvalidPackageError`, never an internal failure."""
    try:
        return _extract(source, destination, limit)
    except InvalidPackageError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise InvalidPackageError(f"Could not unzip uploaded file. Please check your file, then try to upload "
                                  f"again. ({type(exc).__name__}: {str(exc)[:200]})") from None
    except OSError as exc:
        if exc.errno not in _ENTRY_ERRNOS:
            raise
        raise InvalidPackageError(f"Could not unzip uploaded file: an entry cannot be written ({exc.strerror}: "
                                  f"{str(exc.filename)[-200:]})") from None


def _extract(source: Path | bytes, destination: Path, limit: int) -> int:
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidPackageError(f"Could not unzip uploaded file. Please check your file, then try to upload "
                                  f"again. ({exc})") from None
    with archive:
        members = archive.infolist()
        declared = sum(info.file_size for info in members)
        if declared > limit:
            raise InvalidPackageError(f"Unzipped size must be smaller than {limit} bytes (package unzips to "
                                      f"{declared} bytes)")
        destination.mkdir(parents=True)
        written = 0
        for info in members:
            relative = _safe_member_path(info.filename)
            if not relative:
                continue
            target = destination / relative
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if _is_symlink(info):
                link = archive.read(info).decode("utf-8", "replace")
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(relative), link))
                if link.startswith("/") or resolved == ".." or resolved.startswith("../"):
                    raise InvalidPackageError(f"Could not unzip uploaded file: link {info.filename!r} -> {link!r} "
                                              "points outside the package")
                os.symlink(link, target)
                continue
            with archive.open(info) as reader, open(target, "wb") as writer:
                while chunk := reader.read(_CHUNK):
                    written += len(chunk)
                    if written > limit:
                        raise InvalidPackageError(f"Unzipped size must be smaller than {limit} bytes")
                    writer.write(chunk)
            mode = (info.external_attr >> 16) & 0o777 if info.create_system == 3 else 0
            os.chmod(target, (mode | 0o444) if mode else 0o644)
        return written
