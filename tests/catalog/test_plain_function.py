"""A new function from scratch and removing one (the GUI's New function and Delete function)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.catalog.errors import CatalogError
from workbench.catalog.plainfunction import add_function, remove_function
from workbench.model.project import open_folder


def test_an_empty_folder_is_an_empty_project_until_its_first_function(tmp_path: Path) -> None:
    project = open_folder(tmp_path)
    assert project.functions == () and project.template_path == tmp_path.resolve() / "template.yaml"
    added = add_function(tmp_path, "hello", "python3.12", "app.handler", 256, 5)
    assert (added.code / "src" / "app.py").read_text().startswith("import json")
    add_function(tmp_path, "greeter", "nodejs20.x", "lib/index.handler")
    assert "exports.handler" in (tmp_path / "greeter" / "src" / "lib" / "index.js").read_text()
    functions = {f.name: f for f in open_folder(tmp_path).functions}
    assert (functions["hello"].runtime, functions["hello"].memory_size, functions["hello"].timeout) == \
        ("python3.12", 256, 5)
    assert functions["greeter"].handler == "lib/index.handler"


def test_bad_input_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    add_function(tmp_path, "hello", "python3.12", "app.handler")
    before = (tmp_path / "template.yaml").read_text()
    for args, problem in (((tmp_path, "hello", "python3.12", "app.handler"), "already"),
                          ((tmp_path, "bad name", "python3.12", "app.handler"), "not a valid function name"),
                          ((tmp_path, "x", "python3.12", "nohandler"), "not a handler"),
                          ((tmp_path, "y", "provided.al2023", "app.handler"), "Python and Node.js only")):
        with pytest.raises(CatalogError, match=problem):
            add_function(*args)
    with pytest.raises(CatalogError, match="memory"):
        add_function(tmp_path, "z", "python3.12", "app.handler", memory=64)
    assert (tmp_path / "template.yaml").read_text() == before
    assert not (tmp_path / "x").exists() and not (tmp_path / "z").exists()


def test_remove_keeps_the_code_and_the_last_one_leaves_an_empty_project(tmp_path: Path) -> None:
    add_function(tmp_path, "hello", "python3.12", "app.handler")
    add_function(tmp_path, "two", "python3.12", "app.handler")
    assert remove_function(tmp_path, "two") == "Two"
    assert [f.name for f in open_folder(tmp_path).functions] == ["hello"]
    assert (tmp_path / "two" / "src" / "app.py").is_file(), "the code stays"
    assert remove_function(tmp_path, "Hello") == "Hello"   # by logical id too
    assert open_folder(tmp_path).functions == ()
    with pytest.raises(CatalogError, match="declares no function"):
        remove_function(tmp_path, "hello")
