"""Where `workbench build` puts built functions, and whether a build is current.

Like `sam build`, the output is `<project>/.aws-sam/build/<LogicalId>/` (the logical id of the resource the
user wrote, a SAM function or a plain `AWS::Lambda::Function`). The template reader runs a function's build
instead of its `CodeUri` (so invoke, serve, load and the GUI all do) only when the manifest
`.aws-sam/build/workbench-build.json`, written after the folder is complete, lists it with the hash of
the sources it was built from and that hash still matches: a half-built or stale build is never run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BUILD_DIR = Path(".aws-sam") / "build"
MANIFEST = "workbench-build.json"
#: Bump when builders change what they produce: every function is then rebuilt once.
BUILDER_VERSION = "1"
#: Folders that builds create inside sources, or that never matter to one.
_SKIPPED = {".aws-sam", ".workbench", "node_modules", "target", "vendor", ".git", "__pycache__", ".bundle",
            "bin", "obj"}


def source_hash(source: Path, runtime: str, build_method: str | None) -> str:
    """A hash of everything a build depends on: the source tree, the runtime and the build method."""
    digest = hashlib.sha256(f"{BUILDER_VERSION}\0{runtime}\0{build_method or ''}\0".encode())
    if source.is_file():
        digest.update(source.read_bytes())
        return digest.hexdigest()
    for folder, folders, files in os.walk(source):
        folders[:] = sorted(name for name in folders if name not in _SKIPPED)
        for name in sorted(files):
            path = Path(folder) / name
            digest.update(str(path.relative_to(source)).encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                continue
    return digest.hexdigest()


def read_manifest(project_root: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads((project_root / BUILD_DIR / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def built_code(project_root: Path, logical_id: str, source: Path, runtime: str,
               build_method: str | None) -> Path | None:
    """The built folder of ``logical_id`` when its build is complete and current, else None."""
    entry = read_manifest(project_root).get(logical_id)
    folder = project_root / BUILD_DIR / logical_id
    if not entry or not folder.is_dir():
        return None
    if entry.get("hash") != source_hash(source, runtime, build_method):
        log.warning("%s: its sources changed since `workbench build`; using the sources (run the build again)",
                    logical_id)
        return None
    return folder


def build_method(resource: Mapping[str, Any]) -> str | None:
    """A function resource's `Metadata: BuildMethod` (go1.x, makefile, ...), as `sam build` reads it."""
    metadata = resource.get("Metadata")
    method = metadata.get("BuildMethod") if isinstance(metadata, dict) else None
    return method if isinstance(method, str) else None
