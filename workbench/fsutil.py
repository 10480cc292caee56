"""File-tree helpers shared by code snapshots and backends.

Trees we build from untrusted input (packages, layers, CodeUri folders) may hold symbolic links. Nothing here
ever writes through a link: a destination's folders are real folders we made, and links are created last and
checked with `resolves_beneath`, which follows them the way the kernel would but refuses to leave the root.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
from pathlib import Path

#: The kernel's own limit on links followed while resolving one path (ELOOP beyond it).
_MAX_LINK_HOPS = 40


def resolves_beneath(root: Path, relative: str) -> bool:
    """Whether ``root/relative``, followed as the kernel follows it (links included, `..` after a link taken
    from the link's target), stays beneath ``root``. Absolute link targets, a `..` above the root and link
    loops count as leaving it. Missing components are taken as folders (so `missing/../..` leaves), because a
    later layer merged into the same /opt may create them."""
    pending = [part for part in reversed(relative.split("/"))]
    resolved: list[str] = []   # real folders only: lstat below never passes through a link
    hops = 0
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            if not resolved:
                return False
            resolved.pop()
            continue
        try:
            info = os.lstat(os.path.join(root, *resolved, part))
        except (FileNotFoundError, NotADirectoryError):
            resolved.append(part)  # missing today, perhaps a folder tomorrow (a later layer): go on lexically
            continue
        if stat.S_ISLNK(info.st_mode):
            hops += 1
            target = os.readlink(os.path.join(root, *resolved, part))
            if hops > _MAX_LINK_HOPS or target.startswith("/"):
                return False
            pending.extend(reversed(target.split("/")))
        else:
            resolved.append(part)
    return True


def escaping_links(root: Path, links: list[str]) -> list[str]:
    """The ``links`` (paths relative to ``root``) whose targets leave ``root`` in the finished tree."""
    return [link for link in links if not resolves_beneath(root, link)]


def link_tree(source: Path, destination: Path, *, hard_links: bool = True, read_only: bool = False,
              links: list[str] | None = None, _prefix: str = "") -> None:
    """Make ``destination`` a copy of ``source``: hard links where ``hard_links`` allows (cheap; only for
    trees the user of the copy cannot write, such as a read-only bind mount), real copies otherwise.
    Files already in ``destination`` are replaced, so calling this for several sources in order lets later
    ones win, as layers do in /opt. Never writes through a link already in ``destination``; the links it
    copies are appended to ``links`` (relative paths) so that the caller can check the finished tree with
    `escaping_links`. ``read_only`` drops write permission from copied files."""
    destination.mkdir(parents=True, exist_ok=True)
    with os.scandir(source) as entries:
        for entry in entries:
            target = destination / entry.name
            relative = f"{_prefix}{entry.name}"
            if entry.is_symlink():
                _remove(target)
                os.symlink(os.readlink(entry.path), target)
                if links is not None:
                    links.append(relative)
            elif entry.is_dir(follow_symlinks=False):
                if target.is_symlink() or (target.exists() and not target.is_dir()):
                    _remove(target)
                link_tree(Path(entry.path), target, hard_links=hard_links, read_only=read_only, links=links,
                          _prefix=f"{relative}/")
            else:
                _remove(target)
                _copy_file(entry.path, target, hard_links, read_only)


def _copy_file(source: str, target: Path, hard_link: bool, read_only: bool) -> None:
    if hard_link:
        try:
            os.link(source, target, follow_symlinks=False)
            return
        except OSError:
            pass
    shutil.copyfile(source, target, follow_symlinks=False)
    mode = stat.S_IMODE(os.lstat(source).st_mode)
    os.chmod(target, mode & ~0o222 if read_only else mode)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        remove_tree(path)


def remove_tree(path: Path) -> None:
    """Remove a folder, tolerating files made read-only and folders already gone."""
    def make_writable_and_retry(function: object, failed: str, _exc: object) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(failed), 0o755)
            if not os.path.islink(failed):
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
