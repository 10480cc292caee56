"""Runtime images for the Docker backend: which image a runtime needs, and building it offline.

An image holds only an operating system and a language (Python, Node.js, Ruby, a JRE or Mono); our bootstraps and the
function's code are mounted at run time. Each image is tagged with a hash of what it is made from (the
recipe, the Debian release, or the ID of a configured local base image), so it is built once and rebuilt
only when one of those changes. Nothing is pulled from a registry: either a base image the user already has
locally (`WORKBENCH_BASE_IMAGES=python=python:3.11-slim,nodejs=node:20-slim`) is re-labelled, or a minimal
Debian root filesystem is bootstrapped from the system's own apt mirror and imported.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.backends import rootfs
from workbench.backends.aptsources import NoAptSourceError, release_source
from workbench.backends.base import BackendError
from workbench.fsutil import remove_tree
from workbench.model.runtimes import Family, RuntimeInfo

if TYPE_CHECKING:  # the docker SDK is imported only where a Docker engine is used
    from workbench.backends.docker_api import DockerApi

log = logging.getLogger(__name__)
Progress = Callable[[str], None]

#: Bump when the way images are made changes: every image is then rebuilt once.
RECIPE_VERSION = "1"
KIND_LABEL = "workbench.runtime-image"
INPUTS_LABEL = "workbench.inputs"
VERSION_LABEL = "workbench.language-version"
SOURCE_LABEL = "workbench.image-source"
BASE_IMAGES_VARIABLE = "WORKBENCH_BASE_IMAGES"


@dataclass(frozen=True, slots=True)
class Recipe:
    kind: str
    packages: tuple[str, ...]   # what debootstrap adds to a minimal Debian
    version_probe: str          # shell command printing the language version (run by /bin/sh, which every
                                # image needs: the sandbox's launcher is a shell loop of built-ins only)


RECIPES: dict[str, Recipe] = {
    "python": Recipe("python", ("python3",), "python3 -c 'import platform; print(platform.python_version())'"),
    "nodejs": Recipe("nodejs", ("nodejs",), "node -e 'console.log(process.versions.node)'"),
    "ruby": Recipe("ruby", ("ruby",), "ruby -e 'print RUBY_VERSION'"),
    # A headless JRE: functions arrive compiled. The version comes from the JDK's release file (the JVM itself
    # cannot start in the chroot the probe runs in: it has no /proc).
    "java": Recipe("java", ("openjdk-17-jre-headless",), "command -v java >/dev/null && "
                   "sed -n 's/^JAVA_VERSION=\"\\(.*\\)\"$/\\1/p' /usr/lib/jvm/*/release | head -1"),
    # Mono's runtime and the class libraries C# functions are compiled against (mscorlib, System, System.Core);
    # no compiler: the runtime client and the functions are built on the host.
    "mono": Recipe("mono", ("mono-runtime", "libmono-system4.0-cil", "libmono-system-core4.0-cil"),
                   "mono --version | sed -n 's/.*version \\([0-9.]*\\).*/\\1/p' | head -1"),
}


_KIND_OF = {Family.PYTHON: "python", Family.PROVIDED: "python", Family.NODEJS: "nodejs", Family.RUBY: "ruby",
            Family.JAVA: "java", Family.DOTNET: "mono"}


def kind_of(runtime: RuntimeInfo) -> str | None:
    """Which image runs ``runtime``: custom runtimes (`provided*`, Go binaries among them) run their bootstrap
    in the Python image; .NET runs on Mono."""
    return _KIND_OF.get(runtime.family)


def configured_base_images(text: str | None = None) -> dict[str, str]:
    """Parse `kind=image,kind=image` (from WORKBENCH_BASE_IMAGES); raises BackendError on a typo."""
    text = os.environ.get(BASE_IMAGES_VARIABLE, "") if text is None else text
    found: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        kind, sep, image = item.partition("=")
        if not sep or kind.strip() not in RECIPES or not image.strip():
            raise BackendError(f"{BASE_IMAGES_VARIABLE}: expected KIND=IMAGE with KIND one of "
                               f"{', '.join(RECIPES)} (got {item!r})")
        found[kind.strip()] = image.strip()
    return found


def default_cache_dir() -> Path:
    explicit = os.environ.get("WORKBENCH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    if os.geteuid() == 0:
        return Path("/var/cache/workbench")
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "workbench"


@dataclass(frozen=True, slots=True)
class RuntimeImage:
    kind: str
    reference: str            # repository:tag
    language_version: str     # e.g. "3.11.2"


@dataclass(frozen=True, slots=True)
class ImageRow:
    kind: str
    reference: str
    image_id: str
    size_bytes: int
    created: int
    language_version: str
    current: bool


class RuntimeImages:
    """Finds, builds, lists and prunes runtime images. One per backend (and one per `images` command)."""

    def __init__(self, api: DockerApi, cache_dir: Path | None = None,
                 base_images: Mapping[str, str] | None = None) -> None:
        self._api = api
        self._cache_dir = (cache_dir or default_cache_dir()).absolute()
        self._base_images = dict(configured_base_images() if base_images is None else base_images)
        self._ready: dict[str, RuntimeImage] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    # -- naming -----------------------------------------------------------------------------------------
    async def _inputs(self, recipe: Recipe) -> tuple[str, str]:
        """(content hash, source description) of what the image for ``recipe`` is made from."""
        base = self._base_images.get(recipe.kind)
        if base is not None:
            base_id = await self._api.image_id(base)
            if base_id is None:
                raise BackendError(f"{BASE_IMAGES_VARIABLE} names {base!r} for {recipe.kind}, but there is no such "
                                   "image locally (the workbench never pulls; `docker load` or build it first)")
            described: dict[str, object] = {"recipe": RECIPE_VERSION, "kind": recipe.kind, "base": base_id}
            source = f"base image {base}"
        else:
            try:
                suite = release_source().suite
            except NoAptSourceError as exc:
                raise BackendError(f"{exc}; or set {BASE_IMAGES_VARIABLE} to images you already have") from None
            described = {"recipe": RECIPE_VERSION, "kind": recipe.kind, "debian": suite,
                         "packages": list(recipe.packages), "probe": recipe.version_probe}
            source = f"debian {suite}"
        digest = hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()
        return digest, source

    async def reference(self, kind: str) -> str:
        digest, _ = await self._inputs(RECIPES[kind])
        return f"workbench-runtime-{kind}:{digest[:16]}"

    # -- finding and building ---------------------------------------------------------------------------
    async def find(self, kind: str) -> RuntimeImage | None:
        """The current image for ``kind`` if it exists locally."""
        if kind in self._ready:
            return self._ready[kind]
        reference = await self.reference(kind)
        labels = await self._api.image_labels(reference)
        if labels is None:
            return None
        image = RuntimeImage(kind, reference, labels.get(VERSION_LABEL, "unknown"))
        self._ready[kind] = image
        return image

    async def ensure(self, kind: str, progress: Progress | None = None) -> RuntimeImage:
        """The image for ``kind``, built first when it does not exist yet (once, even when asked concurrently)."""
        found = await self.find(kind)
        if found is not None:
            return found
        async with self._locks.setdefault(kind, asyncio.Lock()):
            found = await self.find(kind)
            if found is not None:
                return found
            if progress is None:
                log.warning("no %s runtime image yet: building it now, once (a few minutes; "
                            "`workbench images build` does this ahead of time)", kind)
                progress = _log_progress
            image = await self.build(kind, progress)
            log.warning("built %s", image.reference)
            return image

    async def build(self, kind: str, progress: Progress, force: bool = False) -> RuntimeImage:
        recipe = RECIPES[kind]
        digest, source = await self._inputs(recipe)
        reference = f"workbench-runtime-{kind}:{digest[:16]}"
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        async with _build_lock(self._cache_dir / f"build-{kind}.lock"):
            self._ready.pop(kind, None)
            if not force and (existing := await self.find(kind)) is not None:
                progress(f"{reference} is up to date")
                return existing
            progress(f"building {reference} from {source}")
            labels = {KIND_LABEL: kind, INPUTS_LABEL: digest, SOURCE_LABEL: source}
            base = self._base_images.get(kind)
            if base is not None:
                version = await self._probe_base(base, recipe)
                await self._api.label_image(base, reference, {**labels, VERSION_LABEL: version})
            else:
                version = await self._bootstrap(recipe, reference, labels, progress)
            progress(f"{reference} ready ({kind} {version})")
        image = RuntimeImage(kind, reference, version)
        self._ready[kind] = image
        return image

    async def _probe_base(self, base: str, recipe: Recipe) -> str:
        status, output = await self._api.run_once(base, ["/bin/sh", "-c", recipe.version_probe])
        lines = output.strip().splitlines()
        if status != 0 or not lines:
            raise BackendError(f"{base} cannot be a {recipe.kind} runtime image (it needs /bin/sh and "
                               f"{recipe.kind}): {output.strip()[-300:]}")
        return lines[-1].strip()

    async def _bootstrap(self, recipe: Recipe, reference: str, labels: dict[str, str], progress: Progress) -> str:
        source = release_source()
        work = Path(tempfile.mkdtemp(prefix=f"build-{recipe.kind}-", dir=self._cache_dir))
        try:
            root = work / "rootfs"
            await rootfs.bootstrap(source, recipe.packages, root, self._cache_dir / "debootstrap" / source.suite,
                                   progress)
            version = await rootfs.probe(root, ["/bin/sh", "-c", recipe.version_probe])
            archive = work / "rootfs.tar"
            await rootfs.pack(root, archive, progress)
            repository, tag = reference.split(":")
            progress(f"importing {reference} into Docker")
            await self._api.import_rootfs(str(archive), repository, tag, {**labels, VERSION_LABEL: version})
            return version
        finally:
            await asyncio.to_thread(rootfs.unmount_below, work)
            await asyncio.to_thread(remove_tree, work)

    # -- housekeeping -----------------------------------------------------------------------------------
    async def rows(self) -> list[ImageRow]:
        current: dict[str, str | None] = {}
        for kind in RECIPES:
            try:
                current[kind] = await self.reference(kind)
            except BackendError:
                current[kind] = None
        rows = []
        for image in await self._api.list_images(KIND_LABEL):
            labels = image.get("Labels") or {}
            kind = labels.get(KIND_LABEL, "?")
            for reference in image.get("RepoTags") or ["<none>:<none>"]:
                rows.append(ImageRow(kind, reference, str(image["Id"]), int(image.get("Size", 0)),
                                     int(image.get("Created", 0)), labels.get(VERSION_LABEL, "?"),
                                     reference == current.get(kind)))
        return sorted(rows, key=lambda row: (row.kind, not row.current, -row.created))

    async def prune(self) -> list[str]:
        """Remove runtime images that are no longer current (older recipes, older base images). Images of a
        kind this workbench has no recipe for are left alone: another workbench version may need them."""
        removed = []
        for row in await self.rows():
            if not row.current and row.kind in RECIPES:
                target = row.reference if row.reference != "<none>:<none>" else row.image_id
                await self._api.remove_image(target)
                removed.append(target)
        return removed


def _log_progress(line: str) -> None:
    if not line.startswith(("I: Retrieving", "I: Validating", "I: Extracting", "I: Unpacking ", "I: Configuring ")):
        log.warning("image build: %s", line)


@contextlib.asynccontextmanager
async def _build_lock(path: Path) -> AsyncIterator[None]:
    """One build of a kind at a time across processes (two workbenches starting at once build once)."""
    fd = await asyncio.to_thread(os.open, path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
