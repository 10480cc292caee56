"""The hook that hands pushes to the workbench, and the enqueueing it calls.

`workbench init` installs `post-receive` in the project's bare repository. Git runs it after every push
with "<old> <new> <ref>" lines on stdin; it runs `python -m workbench pipeline enqueue`, which records a
queued run in the project's store for each push to the pipeline's branch. Only recording, never building:
the push returns at once, and a push made while no workbench runs is still there for the next one.
"""

from __future__ import annotations

import shlex
import stat
import sys
import time
from pathlib import Path

import yaml

from workbench.pipeline import store
from workbench.pipeline.definition import DEFINITION_NAME
from workbench.pipeline.git import GitError, git

HOOK_NAME = "post-receive"
_ZERO = "0" * 40


def install_hook(bare: Path, project: Path) -> Path:
    hook = bare / "hooks" / HOOK_NAME
    hook.write_text(
        "#!/bin/sh\n"
        "# Installed by `workbench init`: hands every push to the workbench's pipeline (`workbench pipeline runs`).\n"
        f"exec {shlex.quote(sys.executable)} -m workbench pipeline enqueue --project {shlex.quote(str(project))} "
        "--repository \"$PWD\"\n", encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return hook


def pipeline_branch(repository: Path, commit: str) -> str | None:
    """The branch the commit's pipeline.yaml builds (None when it has none or it cannot be read)."""
    try:
        data = yaml.safe_load(git("show", f"{commit}:{DEFINITION_NAME}", cwd=repository))
        return str(data["stages"][0].get("branch", "main"))
    except (GitError, yaml.YAMLError, LookupError, TypeError, AttributeError):
        return None


def enqueue_pushes(state_db: Path, repository: Path, lines: list[str]) -> list[tuple[int, str]]:
    """Queue a run for every pushed ref the pipeline builds; returns (run id, commit) of each."""
    queued = []
    with store.with_store(state_db) as connection:
        for line in lines:
            parts = line.split()
            if len(parts) != 3:
                continue
            old, new, ref = parts
            if new == _ZERO:  # a deleted branch: nothing to build
                continue
            branch = pipeline_branch(repository, new)
            if branch is not None and ref != f"refs/heads/{branch}":
                continue
            queued.append((store.enqueue(connection, str(repository), ref, old, new, time.time()), new))
    return queued
