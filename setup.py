"""Build hook: a wheel carries the top-level `blueprints/` (blueprints and application templates) inside
the package, at workbench/catalog/_shipped/blueprints, where `workbench.catalog.paths` looks first.
Everything else about the build is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE = Path(__file__).resolve().parent / "blueprints"


class BuildWithBlueprints(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install finds the clone's own blueprints/
        target = Path(self.build_lib) / "workbench" / "catalog" / "_shipped" / "blueprints"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(SOURCE, target, ignore=shutil.ignore_patterns("__pycache__", "node_modules", ".workbench"))


setup(cmdclass={"build_py": BuildWithBlueprints})
