"""A minimal Debian root filesystem for a runtime image, made offline-safe with debootstrap.

debootstrap downloads from the mirror the system's apt configuration names (the one sanctioned download,
at image-build time only) and keeps the packages in a cache folder, so a rebuild on the same machine
fetches nothing it already has. The result is trimmed of documentation and package lists, probed for the
language version it carries, and packed into a tar archive that `docker import` turns into an image.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from workbench.backends.aptsources import AptSource
from workbench.backends.base import BackendError

Progress = Callable[[str], None]

#: Paths no runtime needs; removing them makes the image about a third smaller.
_TRIMMED = ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale", "var/cache/apt",
            "var/lib/apt/lists", "var/log")

_IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


async def _run(command: Sequence[str], progress: Progress, what: str, env: dict[str, str] | None = None) -> str:
    """Run a build step, passing its output lines to ``progress``; raise with its tail when it fails."""
    process = await asyncio.create_subprocess_exec(*command, stdin=asyncio.subprocess.DEVNULL, env=env,
                                                   stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    assert process.stdout is not None
    lines: list[str] = []
    try:
        async for raw in process.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            lines.append(line)
            progress(line)
        returncode = await process.wait()
    except BaseException:  # Ctrl-C or a cancelled invoke: the step must not go on alone
        if process.returncode is None:
            process.kill()
            await asyncio.shield(process.wait())
        raise
    if returncode != 0:
        tail = "\n".join(lines[-15:])
        raise BackendError(f"{what} failed (exit status {process.returncode}):\n{tail}")
    return "\n".join(lines)


def check_can_bootstrap() -> None:
    if shutil.which("debootstrap") is None:
        raise BackendError("building runtime images needs debootstrap: install it (`apt-get install debootstrap`)"
                           ", or set WORKBENCH_BASE_IMAGES to images you already have (see README)")
    if os.geteuid() != 0:
        raise BackendError("building runtime images with debootstrap needs root: run `sudo workbench images "
                           "build` once, or set WORKBENCH_BASE_IMAGES to images you already have (see README)")


async def bootstrap(source: AptSource, packages: Sequence[str], target: Path, package_cache: Path,
                    progress: Progress) -> None:
    check_can_bootstrap()
    await asyncio.to_thread(package_cache.mkdir, parents=True, exist_ok=True)
    command = ["debootstrap", "--variant=minbase", f"--include={','.join(packages)}",
               f"--cache-dir={package_cache}"]  # absolute: RuntimeImages resolves it
    if source.keyring:
        command.append(f"--keyring={source.keyring}")
    command += [source.suite, str(target), source.uri]

    def quiet_progress(line: str) -> None:  # the mirror is the system's business: not repeated in our output
        progress(line.replace(source.uri, "the apt mirror"))

    await _run(command, quiet_progress, "debootstrap")
    await asyncio.to_thread(_trim, target)


def _trim(root: Path) -> None:
    for relative in _TRIMMED:
        folder = root / relative
        if folder.is_dir():
            shutil.rmtree(folder)
            folder.mkdir()


async def probe(root: Path, command: Sequence[str]) -> str:
    """Run ``command`` inside the root filesystem (chroot) and return its last output line."""
    output = await _run(["chroot", str(root), *command], lambda _line: None, f"checking {command[0]} in the image",
                        env={"PATH": _IMAGE_PATH, "LANG": "C.UTF-8"})
    lines = output.strip().splitlines()
    if not lines:
        raise BackendError(f"{command[0]} printed nothing in the new image")
    return lines[-1].strip()


async def pack(root: Path, archive: Path, progress: Progress) -> None:
    progress(f"packing {root.name} into an image archive")
    await _run(["tar", "--numeric-owner", "--xattrs", "-C", str(root), "-cf", str(archive), "."], progress,
               "packing the root filesystem")


def unmount_below(root: Path, mounts_file: Path = Path("/proc/self/mounts")) -> None:
    """Detach whatever an interrupted debootstrap left mounted inside ``root`` (/proc, /sys, ...), deepest
    first, so that removing the build folder can never reach into a live filesystem."""
    prefix = str(root.resolve()).rstrip("/") + "/"
    try:
        targets = [line.split()[1].replace("\\040", " ") for line in mounts_file.read_text().splitlines()]
    except OSError:
        return
    for target in sorted((t for t in targets if t.startswith(prefix)), key=len, reverse=True):
        subprocess.run(["umount", "--lazy", target], check=False, capture_output=True)
