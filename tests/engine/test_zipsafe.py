"""Deployment packages are extracted without escaping their folder, within AWS's size limits."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from workbench.engine.catalogue.zipsafe import extract_zip
from workbench.engine.core.errors import InvalidPackageError


def _zip(entries: list[tuple[str, bytes, int | None]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.create_system = 3
                info.external_attr = mode << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def test_extracts_files_and_keeps_executable_bits(tmp_path: Path) -> None:
    data = _zip([("bootstrap", b"#!/bin/sh\n", 0o100755), ("lib/mod.py", b"x = 1\n", 0o100644),
                 ("dir/", b"", 0o040755)])
    size = extract_zip(data, tmp_path / "out")
    assert size == len(b"#!/bin/sh\n") + len(b"x = 1\n")
    assert os.access(tmp_path / "out" / "bootstrap", os.X_OK)
    assert not os.access(tmp_path / "out" / "lib" / "mod.py", os.X_OK)
    assert (tmp_path / "out" / "dir").is_dir()


@pytest.mark.parametrize("name", ["../evil.py", "a/../../evil.py", "/etc/evil", "C:/evil"])
def test_path_traversal_is_rejected(tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidPackageError, match="evil"):
        extract_zip(_zip([(name, b"x", None)]), tmp_path / "out")
    assert not (tmp_path / "evil.py").exists()


@pytest.mark.parametrize("target", ["../../outside", "/etc/passwd", "sub/../../x"])
def test_links_escaping_the_package_are_rejected(tmp_path: Path, target: str) -> None:
    data = _zip([("link", target.encode(), stat.S_IFLNK | 0o777)])
    with pytest.raises(InvalidPackageError, match="points outside the package"):
        extract_zip(data, tmp_path / "out")


def test_links_inside_the_package_are_kept(tmp_path: Path) -> None:
    data = _zip([("real.txt", b"hi", 0o100644), ("sub/link", b"../real.txt", stat.S_IFLNK | 0o777)])
    extract_zip(data, tmp_path / "out")
    assert (tmp_path / "out" / "sub" / "link").read_text() == "hi"


def test_unzipped_size_limit(tmp_path: Path) -> None:
    data = _zip([("big.bin", b"\0" * 2048, None)])
    with pytest.raises(InvalidPackageError, match="Unzipped size must be smaller than 1024 bytes"):
        extract_zip(data, tmp_path / "out", limit=1024)


def test_not_a_zip(tmp_path: Path) -> None:
    with pytest.raises(InvalidPackageError, match="Could not unzip uploaded file"):
        extract_zip(b"this is not a zip", tmp_path / "out")
