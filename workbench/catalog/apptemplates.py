"""Application templates: `workbench init --app-template NAME DIR` makes a project that is a git repository
(functions, template.yaml, unit tests, buildspec.yml, pipeline.yaml) with a bare repository beside it as
`origin`, whose post-receive hook hands every push to the workbench's pipeline."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from workbench.catalog.errors import CatalogError
from workbench.catalog.paths import app_templates_dir
from workbench.pipeline.git import IDENTITY, GitError, git
from workbench.pipeline.hook import install_hook

MANIFEST = "app-template.yaml"
FILES = "files"
BRANCH = "main"


@dataclass(frozen=True, slots=True)
class AppTemplate:
    name: str
    title: str
    description: str
    runtime: str
    functions: tuple[str, ...]
    folder: Path

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "description": self.description, "runtime": self.runtime,
                "functions": list(self.functions)}


@dataclass(frozen=True, slots=True)
class Initialised:
    project: Path
    origin: Path
    commit: str


def list_app_templates(root: Path | None = None) -> list[AppTemplate]:
    root = root or app_templates_dir()
    found = []
    for folder in sorted(root.iterdir()):
        manifest = folder / MANIFEST
        if not manifest.is_file():
            continue
        data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict) or data.get("name") != folder.name or not (folder / FILES).is_dir():
            raise CatalogError(f"{manifest}: needs name: {folder.name}, and a {FILES}/ folder beside it")
        found.append(AppTemplate(folder.name, str(data.get("title", folder.name)),
                                 str(data.get("description", "")).strip(), str(data.get("runtime", "")),
                                 tuple(map(str, data.get("functions") or ())), folder))
    return found


def find_app_template(name: str, root: Path | None = None) -> AppTemplate:
    found = {template.name: template for template in list_app_templates(root)}
    if name not in found:
        raise CatalogError(f"there is no application template {name!r}; the templates are: "
                           f"{', '.join(sorted(found))}")
    return found[name]


def init_app(template: AppTemplate, target: Path) -> Initialised:
    """Make the project in ``target`` (absent or empty) and its bare `origin` beside it (``<target>.git``),
    commit the template's files and push them, which queues the first pipeline run."""
    target = target.resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CatalogError(f"{target} is not empty; give a new or empty folder")
    origin = target.with_name(f"{target.name}.git")
    if origin.exists():
        raise CatalogError(f"{origin} (the repository to push to) already exists; give another folder")
    made_target = not target.exists()
    try:
        shutil.copytree(template.folder / FILES, target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "node_modules", ".workbench"))
        git("init", "--quiet", f"--initial-branch={BRANCH}", cwd=target)
        git("add", "--all", cwd=target)
        git("commit", "--quiet", "-m", f"Application from the workbench's {template.name} template", cwd=target,
            env=_identity(target))
        git("init", "--quiet", "--bare", f"--initial-branch={BRANCH}", str(origin))
        install_hook(origin, target)
        git("remote", "add", "origin", str(origin), cwd=target)
        git("push", "--quiet", "--set-upstream", "origin", BRANCH, cwd=target)
        commit = git("rev-parse", "HEAD", cwd=target).strip()
    except (GitError, OSError) as exc:
        shutil.rmtree(origin, ignore_errors=True)
        if made_target:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for child in target.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise CatalogError(f"could not create the project: {exc}") from None
    return Initialised(target, origin, commit)


def _identity(repository: Path) -> dict[str, str]:
    """The user's git identity when they have one; the workbench's otherwise (a fresh machine has none)."""
    try:
        git("config", "user.email", cwd=repository)
        return {}
    except GitError:
        return IDENTITY
