"""A project: a folder with a SAM template and the workbench's state beside it (`.workbench/`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from workbench.model.function import FunctionConfig
from workbench.model.template import Template, TemplateError, load_template
from workbench.model.template.reader import NO_RESOURCES

TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
STATE_DIR_NAME = ".workbench"


@dataclass(frozen=True, slots=True)
class Project:
    root: Path
    template: Template
    #: The values given for the template's Parameters (the supporting resources are resolved with them too).
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)

    @property
    def template_path(self) -> Path:
        return self.template.path

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR_NAME

    @property
    def functions(self) -> tuple[FunctionConfig, ...]:
        return self.template.functions

    def find_function(self, name: str) -> FunctionConfig:
        """Look a function up by its FunctionName or its logical id. Raises KeyError."""
        for function in self.template.functions:
            if name in (function.name, function.logical_id):
                return function
        raise KeyError(name)


def find_template(directory: Path) -> Path:
    for name in TEMPLATE_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    raise TemplateError(directory, f"no {' / '.join(TEMPLATE_NAMES)} in this folder")


def load_project(template: Path | None = None, project_dir: Path | None = None,
                 parameter_overrides: Mapping[str, str] | None = None) -> Project:
    """Load from an explicit template file, or from the template inside ``project_dir`` (default: cwd)."""
    if template is not None and template.is_dir():
        project_dir, template = template, None
    if template is None:
        template = find_template((project_dir or Path.cwd()).resolve())
    template = template.resolve()
    return Project(root=template.parent, template=load_template(template, parameter_overrides),
                   parameter_overrides=dict(parameter_overrides or {}))


def open_folder(folder: Path) -> Project:
    """A folder as a project (the GUI's New and Open project, `workbench gui --project DIR`): its template, or
    an empty project when it has none yet; the first new function writes the template."""
    folder = folder.resolve()
    try:
        template = find_template(folder)
    except TemplateError:
        template = folder / TEMPLATE_NAMES[0]
    return load_or_empty(template)


def load_or_empty(template: Path) -> Project:
    """The project of ``template``; an empty one when the file is not there (yet) or declares no resources
    (its last function was removed). Any other template error is raised as it is."""
    template = template.resolve()
    empty = Project(root=template.parent, template=Template(path=template, functions=()))
    if not template.is_file():
        return empty
    try:
        return load_project(template)
    except TemplateError as exc:
        if exc.problem == NO_RESOURCES and exc.resource is None:
            return empty
        raise
