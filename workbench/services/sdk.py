"""The AWS SDKs that Lambda's runtimes ship, for every execution environment: boto3 for Python, the JS SDK v3
(`@aws-sdk/client-*`) for Node.js.

Built once, at build time (`workbench sdk build`, run by `make venv` and CI), into a cache folder — never
downloaded when a function runs. boto3 is copied from the workbench's own installation (moto needs it, so it
is always there: no download at all); the JS SDK is installed with npm from the registry npm is configured
for. Backends put both on the module paths *after* the function's own code and layers, as on AWS, so a
function that bundles its own version wins.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: Where the SDKs are mounted in containers (read-only).
CONTAINER_ROOT = "/var/sdk"
#: The JS SDK v3 clients of the local services, as Lambda's Node.js runtimes carry them (and the document
#: client most DynamoDB code uses).
NODE_PACKAGES = (
    "@aws-sdk/client-sqs", "@aws-sdk/client-sns", "@aws-sdk/client-kinesis", "@aws-sdk/client-dynamodb",
    "@aws-sdk/client-dynamodb-streams", "@aws-sdk/lib-dynamodb", "@aws-sdk/client-eventbridge",
    "@aws-sdk/client-s3", "@aws-sdk/client-lambda",
)
NODE_VERSION_RANGE = "^3"
_STAMP = ".workbench-sdk.json"


class SdkBuildError(Exception):
    """The SDKs could not be built (npm missing or failing)."""


def sdk_root() -> Path:
    """The SDK cache: $WORKBENCH_SDK_DIR, else $XDG_CACHE_HOME/workbench/sdk (~/.cache/workbench/sdk)."""
    explicit = os.environ.get("WORKBENCH_SDK_DIR")
    if explicit:
        return Path(explicit)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "workbench" / "sdk"


@dataclass(frozen=True, slots=True)
class SdkPaths:
    """The built SDK folders on this machine, None where not built, and the module path entries they give
    on the host (process backend) and in containers (mounted at CONTAINER_ROOT)."""

    root: Path
    python: Path | None
    node_modules: Path | None

    @property
    def built(self) -> bool:
        return self.python is not None or self.node_modules is not None

    @property
    def python_path(self) -> list[str]:
        return [str(self.python)] if self.python else []

    @property
    def node_path(self) -> list[str]:
        return [str(self.node_modules)] if self.node_modules else []

    @property
    def python_path_in_container(self) -> list[str]:
        return [f"{CONTAINER_ROOT}/python"] if self.python else []

    @property
    def node_path_in_container(self) -> list[str]:
        return [f"{CONTAINER_ROOT}/nodejs/node_modules"] if self.node_modules else []


def installed_sdks() -> SdkPaths:
    root = sdk_root()
    python = root / "python"
    node_modules = root / "nodejs" / "node_modules"
    return SdkPaths(root, python if (python / _STAMP).is_file() else None,
                    node_modules if (root / "nodejs" / _STAMP).is_file() else None)


# -- Python: boto3 and what it needs, copied from this installation -------------------------------------------
def _requirement_names(requirements: list[str] | None) -> list[str]:
    names = []
    for requirement in requirements or []:
        if "extra ==" in requirement:
            continue
        match = re.match(r"[A-Za-z0-9_.-]+", requirement)
        if match:
            names.append(match.group(0))
    return names


def _closure(root: str) -> list[importlib.metadata.Distribution]:
    seen: dict[str, importlib.metadata.Distribution] = {}
    pending = [root]
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # a requirement for another Python version or platform
        seen[key] = distribution
        pending.extend(_requirement_names(distribution.requires))
    return list(seen.values())


def build_python(force: bool = False) -> Path:
    """Copy boto3, botocore, s3transfer and their requirements (with their metadata) into the cache."""
    target = sdk_root() / "python"
    distributions = sorted(_closure("boto3"), key=lambda d: d.metadata["Name"].lower())
    stamp = {d.metadata["Name"]: d.version for d in distributions}
    if not force and _read_stamp(target) == stamp:
        return target
    staging = target.with_name("python.new")
    shutil.rmtree(staging, ignore_errors=True)
    for distribution in distributions:
        for file in distribution.files or []:
            if file.parts[0] == ".." or file.suffix == ".pyc" or "__pycache__" in file.parts:
                continue
            source = Path(str(distribution.locate_file(file)))
            if source.is_file():
                destination = staging / file
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination)
    (staging / _STAMP).write_text(json.dumps(stamp, indent=1))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


# -- Node.js: the JS SDK v3, installed with npm -------------------------------------------------------------
def build_node(force: bool = False) -> Path:
    """npm-install the JS SDK v3 clients into the cache (skipped when the same list is installed)."""
    folder = sdk_root() / "nodejs"
    manifest = {"name": "workbench-aws-sdk", "private": True, "description": "The AWS SDK for JavaScript v3, as "
                "Lambda's Node.js runtimes ship it", "dependencies": {name: NODE_VERSION_RANGE for name in
                                                                      NODE_PACKAGES}}
    stamp = {"manifest": hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()}
    if not force and _read_stamp(folder) == stamp and (folder / "node_modules").is_dir():
        return folder / "node_modules"
    npm = shutil.which("npm")
    if npm is None:
        raise SdkBuildError("npm is not installed: the JS SDK for Node.js functions cannot be built "
                            "(apt-get install npm, then `workbench sdk build`)")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / _STAMP).unlink(missing_ok=True)
    (folder / "package.json").write_text(json.dumps(manifest, indent=1))
    result = subprocess.run([npm, "install", "--omit=dev", "--no-audit", "--no-fund", "--no-package-lock",
                             "--loglevel=error"], cwd=folder, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SdkBuildError(f"npm install failed in {folder}:\n{result.stderr.strip()[-2000:]}")
    (folder / _STAMP).write_text(json.dumps(stamp))
    return folder / "node_modules"


def _read_stamp(folder: Path) -> dict[str, str] | None:
    try:
        value = json.loads((folder / _STAMP).read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None
