"""Build a project's functions into `.aws-sam/build/<LogicalId>/`, incrementally and never half-built.

Each function builds in a scratch folder beside its final place; only a complete build is moved in, and
the manifest (`workbench.model.template.builds`) is rewritten last, so what the template loader finds is always
either a finished, current build or none. Unchanged sources (same hash) are not rebuilt.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.building.builders import BUILDERS, BuildError, build_dotnet, build_go, copy_sources
from workbench.fsutil import link_tree
from workbench.model.runtimes import Family, lookup_runtime
from workbench.model.template import SERVERLESS_FUNCTION
from workbench.model.template.builds import BUILD_DIR, MANIFEST, build_method, read_manifest, source_hash
from workbench.model.template.source import read_template_file


@dataclass(frozen=True, slots=True)
class BuildOutcome:
    logical_id: str
    status: str        # "built", "up to date" or "skipped"
    folder: Path | None
    detail: str = ""


def _functions(template: Path) -> list[tuple[str, dict[str, Any]]]:
    """(logical id, properties merged with Globals.Function, plus Metadata) of every function to build."""
    document = read_template_file(template)
    globals_ = ((document.get("Globals") or {}).get("Function") or {}) if isinstance(document, dict) else {}
    found = []
    for logical_id, resource in (document.get("Resources") or {}).items():
        if not isinstance(resource, dict) or resource.get("Type") != SERVERLESS_FUNCTION:
            continue
        props = {**globals_, **(resource.get("Properties") or {})}
        found.append((logical_id, {**props, "__build_method": build_method(resource)}))
    return found


def _build_one(source: Path, out: Path, runtime_name: str, method: str | None, handler: str) -> None:
    runtime = lookup_runtime(runtime_name)
    if method == "go1.x":
        build_go(source, out, runtime)
    elif runtime.family is Family.DOTNET:
        build_dotnet(source, out, runtime, handler)
    elif runtime.family in BUILDERS:
        BUILDERS[runtime.family](source, out, runtime)
    elif method is None:  # a custom runtime that ships its own bootstrap: its folder is the build
        copy_sources(source, out)
    else:
        raise BuildError(f"no builder for BuildMethod {method} (the workbench builds go1.x)")


def _write_manifest(root: Path, manifest: dict[str, dict[str, str]]) -> None:
    folder = root / BUILD_DIR
    handle, scratch = tempfile.mkstemp(dir=folder, prefix=".manifest-")
    with os.fdopen(handle, "w") as out:
        json.dump(manifest, out, indent=2, sort_keys=True)
    os.replace(scratch, folder / MANIFEST)


def build_project(template: Path, only: Iterable[str] = (), force: bool = False,
                  progress: Callable[[str], None] = lambda _line: None) -> list[BuildOutcome]:
    """Build the functions of ``template`` (those named in ``only``, by logical id, when given). Raises
    BuildError for the first function that fails, after keeping every build that completed before it."""
    template = template.resolve()
    root = template.parent
    wanted = set(only)
    functions = _functions(template)
    unknown = wanted - {logical_id for logical_id, _ in functions}
    if unknown:
        raise BuildError(f"no function {', '.join(sorted(unknown))} in {template.name}")
    (root / BUILD_DIR).mkdir(parents=True, exist_ok=True)
    outcomes = []
    #: Functions sharing a CodeUri, a language and a build method share one build per run (copied, not redone).
    done: dict[tuple[Path, str, str | None], Path] = {}
    for logical_id, props in functions:
        if wanted and logical_id not in wanted:
            continue
        code_uri, runtime, method = props.get("CodeUri", "."), props.get("Runtime"), props["__build_method"]
        if not isinstance(code_uri, str) or not isinstance(runtime, str) or "InlineCode" in props:
            outcomes.append(BuildOutcome(logical_id, "skipped", None, "inline code or no local CodeUri/Runtime"))
            continue
        source = (root / code_uri).resolve()
        if not source.is_dir():
            outcomes.append(BuildOutcome(logical_id, "skipped", None, f"{source} is not a folder"))
            continue
        digest = source_hash(source, runtime, method)
        final = root / BUILD_DIR / logical_id
        manifest = read_manifest(root)
        if not force and manifest.get(logical_id, {}).get("hash") == digest and final.is_dir():
            outcomes.append(BuildOutcome(logical_id, "up to date", final))
            progress(f"{logical_id}: up to date")
            continue
        progress(f"{logical_id}: building ({runtime}{', ' + method if method else ''})")
        scratch = Path(tempfile.mkdtemp(dir=root / BUILD_DIR, prefix=f".{logical_id}-"))
        try:
            try:
                family = lookup_runtime(runtime).family.value
            except KeyError as exc:
                raise BuildError(f"{logical_id}: {exc.args[0]}") from None
            handler = str(props.get("Handler", ""))
            key = (source, family + ("::" + handler.split("::")[0] if family == "dotnet" else ""), method)
            try:
                if key in done:
                    link_tree(done[key], scratch / "out")
                else:
                    _build_one(source, scratch / "out", runtime, method, handler)
            except BuildError as exc:
                raise BuildError(f"{logical_id}: {exc}") from None
            manifest.pop(logical_id, None)
            _write_manifest(root, manifest)  # the old build is no longer valid while it is replaced
            if final.exists():
                shutil.rmtree(final)
            os.rename(scratch / "out", final)
            manifest[logical_id] = {"hash": digest, "runtime": runtime, "build_method": method or ""}
            _write_manifest(root, manifest)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        done[key] = final
        outcomes.append(BuildOutcome(logical_id, "built", final))
        progress(f"{logical_id}: built into {final.relative_to(root)}")
    return outcomes
