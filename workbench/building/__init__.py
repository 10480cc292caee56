"""`workbench build`: per-function builds like `sam build`, into the project's `.aws-sam/build/`."""

from workbench.building.builders import BuildError
from workbench.building.project import BuildOutcome, build_project

__all__ = ["BuildError", "BuildOutcome", "build_project"]
