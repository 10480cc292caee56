"""A new function from scratch (the GUI's New function dialog), and removing a function from the template.

A plain function is written exactly as a blueprint is (`add_blueprint`: the same clash checks, the template
edited round-trip with its comments kept, everything put back when the result would not load), from a
starter handler made for the chosen runtime and handler. Removing takes the resource out of the template and
leaves the code folder on disk: the workbench never deletes a person's code.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from workbench.catalog.blueprints import CODE_FOLDER, Blueprint
from workbench.catalog.errors import CatalogError
from workbench.catalog.newfunction import Added, _dump, _parse, _write_atomically, add_blueprint
from workbench.model.project import TEMPLATE_NAMES
from workbench.model.template import TemplateError, load_template

#: The runtimes a starter handler is written for.
STARTER_RUNTIMES = ("python3.13", "python3.12", "python3.11", "python3.10", "python3.9", "nodejs22.x", "nodejs20.x",
                    "nodejs18.x")

PYTHON_STARTER = '''\
import json


def {function}(event, context):
    """Called once per event; code outside this function runs once per execution environment (init)."""
    print("event:", json.dumps(event))
    return {{"statusCode": 200, "body": "Hello from {name}"}}
'''

NODE_STARTER = '''\
// Called once per event; code outside the handler runs once per execution environment (init).
exports.{function} = async (event, context) => {{
  console.log("event:", JSON.stringify(event));
  return {{ statusCode: 200, body: "Hello from {name}" }};
}};
'''


def starter_code(name: str, runtime: str, handler: str) -> tuple[str, str]:
    """The starter file's relative path and text for ``handler`` (``module.function``) in ``runtime``."""
    module, dot, function = handler.rpartition(".")
    if not dot or not module or not function.isidentifier() or module.startswith("/") or ".." in module:
        raise CatalogError(f"{handler!r} is not a handler: write it as file.function (app.handler)")
    if runtime.startswith("python"):
        return module.replace(".", "/") + ".py", PYTHON_STARTER.format(function=function, name=name)
    if runtime.startswith("nodejs"):
        return module + ".js", NODE_STARTER.format(function=function, name=name)
    raise CatalogError(f"a starter handler is written for Python and Node.js only, not {runtime!r}; start from a "
                       "blueprint, or write the template entry by hand")


def add_function(project_dir: Path, name: str, runtime: str, handler: str, memory: int = 128,
                 timeout: int = 3, description: str = "") -> Added:
    """Add ``name`` to the project's template with a starter handler in ``<name>/src/``."""
    if not 128 <= memory <= 10240:
        raise CatalogError(f"memory must be between 128 and 10240 MB (got {memory})")
    if not 1 <= timeout <= 900:
        raise CatalogError(f"the timeout must be between 1 and 900 seconds (got {timeout})")
    relative, text = starter_code(name, runtime, handler)
    with tempfile.TemporaryDirectory(prefix="workbench-function-") as folder:
        code = Path(folder) / CODE_FOLDER / relative
        code.parent.mkdir(parents=True)
        code.write_text(text, encoding="utf-8")
        preset = Blueprint(name=name, title=description or f"a new {runtime} function", description=description,
                           runtime=runtime, handler=handler, memory=memory, timeout=timeout, environment={},
                           resources={}, triggers={}, policies=(), properties={}, sample_events=(), tags=(),
                           folder=Path(folder))
        return add_blueprint(project_dir, preset, name)


def remove_function(project_dir: Path, name: str) -> str:
    """Take the function called ``name`` (its FunctionName or logical id) out of the template; returns its
    logical id. The code folder stays. Refused when what is left would not load."""
    template_path = next((project_dir / n for n in TEMPLATE_NAMES if (project_dir / n).is_file()), None)
    if template_path is None or template_path.suffix == ".json":
        raise CatalogError(f"{project_dir}: no YAML template to remove {name!r} from")
    original = template_path.read_text(encoding="utf-8")
    document, style = _parse(template_path, original, _NO_BLUEPRINT)
    resources = document["Resources"]
    logical_id: str | None = next((str(key) for key, resource in resources.items() if key == name or (
        isinstance(resource, dict) and isinstance(resource.get("Properties"), dict)
        and resource["Properties"].get("FunctionName") == name)), None)
    if logical_id is None:
        raise CatalogError(f"{template_path.name} declares no function {name!r}")
    del resources[logical_id]
    resources.ca.items.pop(logical_id, None)   # its "From blueprint" comment goes with it
    if not resources:   # a fresh mapping: the old one's comments would be written where no key follows them
        document["Resources"] = CommentedMap()
        document.ca.items.pop("Resources", None)
    _write_atomically(template_path, _dump(document, style))
    if resources:
        try:
            load_template(template_path)
        except TemplateError as exc:
            _write_atomically(template_path, original)
            raise CatalogError(f"removing {name} would break the template ({exc}); nothing was changed") from None
    return logical_id


_NO_BLUEPRINT = Blueprint(name="", title="", description="", runtime="", handler="", memory=128, timeout=3,
                          environment={}, resources={}, triggers={}, policies=(), properties={}, sample_events=(),
                          tags=(), folder=Path())
