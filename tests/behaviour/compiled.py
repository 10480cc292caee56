"""Projects of the compiled runtimes' test functions (Java, .NET, Go), built once per module with
`workbench build`: a build is slow, so every test of a module shares it."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.helpers import make_project
from workbench.building import build_project
from workbench.model.project import Project, load_project

#: The test functions' sources, one folder a language.
FUNCTIONS = Path(__file__).parent / "functions"


def built_project(root: Path, sources: Mapping[str, Path], functions: Mapping[str, Mapping[str, Any]],
                  up_to_date: str, **project: Any) -> Project:
    """Copy each of ``sources`` (folder name in the project -> source folder) into ``root``, write the template
    (``project`` goes to make_project), build it, and check that every function was built and that building
    ``up_to_date`` again does nothing (the build is incremental)."""
    for name, source in sources.items():
        shutil.copytree(source, root / name)
    make_project(root, functions, **project)
    outcomes = build_project(root / "template.yaml")
    assert {outcome.logical_id: outcome.status for outcome in outcomes} == dict.fromkeys(functions, "built")
    assert [outcome.status for outcome in build_project(root / "template.yaml", [up_to_date])] == ["up to date"]
    return load_project(root / "template.yaml")
