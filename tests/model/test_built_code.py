"""The template reader runs a function's current `workbench build` (.aws-sam/build/<LogicalId>) instead of
its CodeUri, under the logical id the user wrote, and falls back to the sources when the build is stale."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import write_files
from workbench.model.template import load_template
from workbench.model.template.builds import BUILD_DIR, MANIFEST, source_hash

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: provided.al2023
Resources:
  Greeter:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: go1.x
    Properties:
      CodeUri: src
      Handler: bootstrap
      FunctionName: greeter
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Code: src
      Handler: app.handler
      Runtime: python3.12
"""


def _build(root: Path, logical_id: str, runtime: str, method: str | None) -> Path:
    folder = root / BUILD_DIR / logical_id
    folder.mkdir(parents=True)
    (folder / "bootstrap").write_text("built")
    manifest_path = root / BUILD_DIR / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest[logical_id] = {"hash": source_hash(root / "src", runtime, method), "runtime": runtime}
    manifest_path.write_text(json.dumps(manifest))
    return folder


def _code(template: Path) -> dict[str, Path | None]:
    return {function.name: function.code_uri for function in load_template(template).functions}


def test_current_builds_run_and_stale_ones_do_not(tmp_path: Path) -> None:
    write_files(tmp_path, {"template.yaml": TEMPLATE, "src/main.go": "package main\n"})
    source = (tmp_path / "src").resolve()
    assert _code(tmp_path / "template.yaml") == {"greeter": source, "Plain": source}

    greeter = _build(tmp_path, "Greeter", "provided.al2023", "go1.x")   # the SAM id, not the FunctionName
    plain = _build(tmp_path, "Plain", "python3.12", None)
    assert _code(tmp_path / "template.yaml") == {"greeter": greeter, "Plain": plain}

    (tmp_path / "src" / "main.go").write_text("package main // changed\n")
    assert _code(tmp_path / "template.yaml") == {"greeter": source, "Plain": source}


def test_a_build_without_its_manifest_entry_is_never_used(tmp_path: Path) -> None:
    write_files(tmp_path, {"template.yaml": TEMPLATE, "src/main.go": "package main\n"})
    (tmp_path / BUILD_DIR / "Greeter").mkdir(parents=True)   # half-built: no manifest yet
    assert _code(tmp_path / "template.yaml")["greeter"] == (tmp_path / "src").resolve()
