"""The one thing pyproject.toml cannot say: ship the top-level data folders inside the package.

`resources/` and `blueprints/` are top-level folders of the repository (data, not code). A wheel carries
them as the data packages `workbench._resources` and `workbench._blueprints`, which is where
workbench/resources.py looks for them in an installed workbench.
"""

from setuptools import find_packages, setup

DATA_PACKAGES = {"workbench._resources": "resources", "workbench._blueprints": "blueprints"}

setup(
    packages=[*find_packages(include=["workbench", "workbench.*"]), *DATA_PACKAGES],
    package_dir=DATA_PACKAGES,
    package_data={name: ["**/*", "**/.gitkeep"] for name in DATA_PACKAGES},
)
