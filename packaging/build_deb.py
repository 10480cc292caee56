"""Build the Debian package from the PyInstaller bundle, with dpkg-deb (no debhelper: the bundle is already built).

    python packaging/build_deb.py --bundle dist/bundle/workbench --out dist

Layout: the bundle under /usr/lib/lambda-workbench, `workbench` on the PATH (/usr/bin, a symlink: the bundle
finds its files through /proc/self/exe), the menu entry, the AppStream metainfo, the icon in every size and a
MIME type for template.yaml. The desktop database, MIME cache and icon cache are refreshed by the triggers of
desktop-file-utils, shared-mime-info and the icon theme, so the package needs no maintainer scripts, and
removing it leaves nothing behind.

Depends is computed as dh_shlibdeps does: the system libraries the bundle's binaries link to (the bundle carries
Python and Qt, but not libc, GL, X11/xcb, fontconfig, ...), mapped to their packages with dpkg -S.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "lambda-workbench"
APP_ID = "io.github.lambdaworkbench.Workbench"
INSTALL_DIR = Path("usr/lib") / PACKAGE
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

#: What the workbench uses when it is there: interpreters for the functions' runtimes, the Docker backend,
#: the process backend's sandbox, and the validators' caches.
RECOMMENDS = ("python3", "nodejs", "docker.io", "bubblewrap", "desktop-file-utils", "shared-mime-info")
_LDD_LINE = re.compile(r"^\s*(\S+) => (\S+) \(0x[0-9a-f]+\)$")


def version() -> str:
    """The one version, read from workbench/__init__.py without importing the package."""
    text = (ROOT / "workbench" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    if found is None:
        raise SystemExit("build_deb: no __version__ in workbench/__init__.py")
    return found.group(1)


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return stream.read(4) == b"\x7fELF"
    except OSError:
        return False


def system_libraries(bundle: Path) -> set[str]:
    """Every library outside the bundle that one of its ELF files is linked to (as resolved on this machine)."""
    inside = str(bundle.resolve())
    # ldd resolves a bundled library's own dependencies from the system, but at run time the bundle's copies
    # win (its loader puts them first); only what the bundle does not carry is a dependency of the package.
    carried = {path.name for path in bundle.rglob("*.so*")}
    found: set[str] = set()
    missing: set[str] = set()
    for path in sorted(bundle.rglob("*")):
        if not path.is_file() or path.is_symlink() or not _is_elf(path):
            continue
        done = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False)
        for line in done.stdout.splitlines():
            if "not found" in line:
                missing.add(line.split()[0])
                continue
            match = _LDD_LINE.match(line)
            if match and match.group(1) not in carried and not os.path.realpath(match.group(2)).startswith(inside):
                found.add(match.group(2))
    if missing:
        # A Qt plugin for a platform this machine lacks (e.g. a Wayland compositor's library): worth knowing,
        # not fatal; the package then does not depend on it.
        print(f"build_deb: not resolvable on this machine, so not in Depends: {', '.join(sorted(missing))}",
              file=sys.stderr)
    return found


def packages_of(libraries: set[str]) -> list[str]:
    """The Debian packages that own ``libraries`` (dpkg -S), without the architecture qualifier."""
    packages: set[str] = set()
    for library in sorted(libraries):
        candidates = {library, os.path.realpath(library)}
        for candidate in candidates:
            done = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, check=False)
            if done.returncode == 0:
                packages.update(line.split(":")[0].strip() for line in done.stdout.splitlines() if ":" in line)
                break
    return sorted(packages)


def stage(bundle: Path, tree: Path) -> None:
    """Lay the package's files out under ``tree`` as they will be on the installed system."""
    shutil.copytree(bundle, tree / INSTALL_DIR, symlinks=True)
    (tree / "usr/bin").mkdir(parents=True)
    (tree / "usr/bin/workbench").symlink_to(Path("/") / INSTALL_DIR / "workbench")
    share = tree / "usr/share"
    _install(ROOT / "packaging" / f"{APP_ID}.desktop", share / "applications" / f"{APP_ID}.desktop")
    _install(ROOT / "packaging" / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml")
    _install(ROOT / "packaging" / f"{APP_ID}.mime.xml", share / "mime" / "packages" / f"{APP_ID}.xml")
    icons = ROOT / "resources" / "icons"
    _install(icons / "lambda-workbench.svg", share / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg")
    for size in ICON_SIZES:
        _install(icons / f"{size}x{size}" / "lambda-workbench.png",
                 share / f"icons/hicolor/{size}x{size}/apps" / f"{APP_ID}.png")
    _install(ROOT / "packaging" / "debian" / "copyright", share / "doc" / PACKAGE / "copyright")


def _install(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(0o644)


def control(tree: Path, depends: list[str], architecture: str) -> str:
    size_kib = sum(path.stat().st_size for path in tree.rglob("*") if path.is_file() and not path.is_symlink())
    return "\n".join([
        f"Package: {PACKAGE}",
        f"Version: {version()}",
        f"Architecture: {architecture}",
        "Maintainer: Lambda Workbench developers <workbench@localhost>",
        f"Installed-Size: {size_kib // 1024 + 1}",
        f"Depends: {', '.join(depends)}",
        f"Recommends: {', '.join(RECOMMENDS)}",
        "Section: devel",
        "Priority: optional",
        "Description: offline workbench for AWS-Lambda-style functions",
        " Runs, inspects and teaches serverless functions on one machine, with no cloud",
        " account: cold starts, warm environments, concurrency and throttling made visible.",
        " Python, Node.js and custom runtimes; a process backend and a Docker backend.",
        "",
    ])


def build(bundle: Path, out: Path) -> Path:
    if not (bundle / "workbench").is_file():
        raise SystemExit(f"build_deb: {bundle} is not a PyInstaller bundle (no workbench executable in it)")
    architecture = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                                  check=True).stdout.strip()
    depends = packages_of(system_libraries(bundle))
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{PACKAGE}_{version()}_{architecture}.deb"
    with tempfile.TemporaryDirectory(prefix="workbench-deb-") as folder:
        tree = Path(folder) / "root"
        stage(bundle, tree)
        (tree / "DEBIAN").mkdir()
        (tree / "DEBIAN" / "control").write_text(control(tree, depends, architecture), encoding="utf-8")
        for path in tree.rglob("*"):   # root-owned, world-readable, whatever the build machine's umask was
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zzstd", "-z9", "--build", str(tree), str(target)],
                       check=True, stdout=subprocess.DEVNULL)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "bundle" / "workbench")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
    target = build(args.bundle, args.out)
    print(f"{target} ({target.stat().st_size / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
