"""Git, through the `git` command (never a hand-written git): the few operations the pipeline needs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

#: Commits made by the workbench itself (init) need an identity even on a machine without git config.
IDENTITY = {"GIT_AUTHOR_NAME": "Lambda Workbench", "GIT_AUTHOR_EMAIL": "workbench@localhost",
            "GIT_COMMITTER_NAME": "Lambda Workbench", "GIT_COMMITTER_EMAIL": "workbench@localhost"}


class GitError(RuntimeError):
    """A git command failed; the message carries its stderr."""


def git(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, input_text: str | None = None) -> str:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("GIT_DIR", None)  # a hook runs with GIT_DIR set to the bare repository: never follow it here
    try:
        done = subprocess.run(["git", *args], cwd=cwd, env=full_env, input=input_text, capture_output=True,
                              text=True, timeout=120, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (apt-get install git)") from None
    if done.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def checkout(repository: Path, commit: str, target: Path) -> None:
    """A clean checkout of ``commit`` from ``repository`` in ``target`` (which must not exist)."""
    git("clone", "--quiet", "--no-checkout", str(repository), str(target))
    git("checkout", "--quiet", "--detach", commit, cwd=target)


def commit_subject(repository: Path, commit: str) -> str:
    return git("log", "-1", "--format=%h %s", commit, cwd=repository).strip()
