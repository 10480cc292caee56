"""Versions, aliases, layers, deployment packages and the project's state, through the engine façade."""

from __future__ import annotations

import base64
import hashlib
import io
import random
import zipfile
from pathlib import Path

import pytest

from tests.helpers import make_project
from tests.helpers import zip_of as _zip
from workbench.engine.core.errors import (
    InvalidPackageError,
    InvalidParameterValueError,
    PreconditionFailedError,
    ResourceConflictError,
    ResourceNotFoundError,
)
from workbench.engine.facade import Engine
from workbench.model.function import validate_function
from workbench.model.project import Project, load_project

APP = """
    import os
    VERSION = "one"
    def handler(event, context):
        return {"code": VERSION, "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"],
                "arn": context.invoked_function_arn}
"""


def _project(tmp_path: Path) -> Project:
    return make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11"}},
                        {"src/app.py": APP})


async def test_publish_versions_and_invoke_them(tmp_path: Path) -> None:
    async with Engine(_project(tmp_path)) as engine:
        one = await engine.publish_version("Fn", "first")
        again = await engine.publish_version("Fn")
        assert (one.version, again.version) == ("1", "1")   # nothing changed: no new version
        await engine.update_function_configuration("Fn", environment={"STAGE": "2"})
        two = await engine.publish_version("Fn")
        assert two.version == "2" and two.config.environment == {"STAGE": "2"}
        assert one.description == "first" and one.config.environment == {}
        await engine.create_alias("Fn", "live", "1")
        with pytest.raises(ResourceConflictError, match="Alias already exists"):
            await engine.create_alias("Fn", "live", "2")
        result = await engine.invoke("Fn:1")
        assert result.executed_version == "1" and result.json()["version"] == "1"
        assert result.json()["arn"].endswith(":function:Fn:1")
        via_alias = await engine.invoke("Fn", qualifier="live")
        assert via_alias.executed_version == "1" and via_alias.json()["arn"].endswith(":function:Fn:live")
        with pytest.raises(ResourceConflictError, match="aliases reference it"):
            await engine.delete_function("Fn", "1")
        await engine.delete_alias("Fn", "live")
        await engine.delete_function("Fn", "1")
        await engine.update_function_configuration("Fn", memory_size=256)
        three = await engine.publish_version("Fn")
        assert three.version == "3"          # numbers are never reused
        assert [v.version for v in engine.list_versions("Fn")] == ["$LATEST", "2", "3"]
        with pytest.raises(ResourceNotFoundError, match=r"function:Fn:9"):
            await engine.invoke("Fn:9")


async def test_publish_preconditions(tmp_path: Path) -> None:
    async with Engine(_project(tmp_path)) as engine:
        latest = engine.function_version("Fn")
        with pytest.raises(InvalidParameterValueError, match="CodeSHA256"):
            await engine.publish_version("Fn", code_sha256="bogus")
        with pytest.raises(PreconditionFailedError):
            await engine.publish_version("Fn", revision_id="not-the-current-one")
        published = await engine.publish_version("Fn", code_sha256=latest.code.code_sha256,
                                                 revision_id=latest.revision_id)
        assert published.version == "1"


async def test_weighted_alias_routes_each_request(tmp_path: Path) -> None:
    async with Engine(_project(tmp_path)) as engine:
        await engine.publish_version("Fn")
        await engine.update_function_configuration("Fn", description="second")
        await engine.publish_version("Fn")
        await engine.create_alias("Fn", "canary", "1", additional_weights={"2": 0.3})
        engine.registry._rng = random.Random(7)
        executed = [(await engine.invoke("Fn:canary")).executed_version for _ in range(200)]
        with pytest.raises(InvalidParameterValueError, match="cannot be greater than 1"):
            await engine.create_alias("Fn", "bad", "1", additional_weights={"2": 0.5, "3": 0.1})
        with pytest.raises(InvalidParameterValueError):
            await engine.create_alias("Fn", "worse", "1", additional_weights={"2": 1.5})
        await engine.update_alias("Fn", "canary", "2", additional_weights={})
        assert {(await engine.invoke("Fn:canary")).executed_version for _ in range(5)} == {"2"}
    share = executed.count("2") / len(executed)
    assert set(executed) == {"1", "2"} and 0.2 < share < 0.4


async def test_deployment_packages_round_trip_with_aws_code_sha256(tmp_path: Path) -> None:
    package = _zip({"app.py": "def handler(e, c):\n    return 'from zip'\n", "bin/tool": "#!/bin/sh\n"},
                   {"bin/tool": 0o100755})
    config = validate_function(name="zipped", runtime="python3.12", handler="app.handler", code_uri=None,
                               require_code=False)
    async with Engine(_project(tmp_path)) as engine:
        created = await engine.create_function(config, package)
        assert created.code.code_sha256 == base64.b64encode(hashlib.sha256(package).digest()).decode()
        assert created.code.code_size == len(package)
        assert (await engine.invoke("zipped")).json() == "from zip"
        assert engine.export_package("zipped") == package
        folder = engine.function_version("Fn")
        exported = engine.export_package("Fn")
        assert folder.code.code_sha256 == base64.b64encode(hashlib.sha256(exported).digest()).decode()
        with zipfile.ZipFile(io.BytesIO(exported)) as archive:
            assert 'VERSION = "one"' in archive.read("app.py").decode()
        with pytest.raises(InvalidPackageError):
            await engine.update_function_code("zipped", _zip({"../escape.py": "x"}))
        with pytest.raises(ResourceConflictError):
            await engine.create_function(config, package)
        assert (await engine.invoke("zipped")).json() == "from zip"   # a rejected upload changes nothing


async def test_api_resources_persist_across_restarts(tmp_path: Path) -> None:
    package = _zip({"app.py": "def handler(e, c):\n    return 'persisted'\n"})
    config = validate_function(name="api-fn", runtime="python3.11", handler="app.handler", code_uri=None,
                               require_code=False, memory_size=256)
    async with Engine(_project(tmp_path)) as engine:
        await engine.create_function(config, package)
        await engine.publish_version("api-fn")
        await engine.create_alias("api-fn", "prod", "1", "production")
        layer = await engine.publish_layer_version("tools", _zip({"python/tools.py": "X = 1\n"}))
        await engine.put_function_concurrency("api-fn", 7)
        await engine.publish_version("Fn")
        await engine.update_function_configuration("Fn", timeout=9)
        await engine.publish_version("Fn")
        await engine.delete_function("Fn", "2")
    async with Engine(_project(tmp_path)) as engine:
        assert engine.function("api-fn").memory_size == 256
        assert (await engine.invoke("api-fn:prod")).json() == "persisted"
        assert engine.get_alias("api-fn", "prod").description == "production"
        assert engine.get_layer_version("tools", 1).arn == layer.arn
        assert engine.function_concurrency("api-fn") == 7
        assert engine.function("Fn").timeout == 3          # the template wins for $LATEST
        assert [v.version for v in engine.list_versions("Fn")] == ["$LATEST", "1"]
        await engine.update_function_configuration("Fn", timeout=4)
        assert (await engine.publish_version("Fn")).version == "3"   # the counter survived


async def test_template_layers_and_auto_publish_alias(tmp_path: Path) -> None:
    make_project(tmp_path, {"Fn": {
            "CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11", "AutoPublishAlias": "live",
        "Layers": [{"Ref": "Shared"}]}}, {"src/app.py": "import shared\ndef handler(e, c):\n    return shared.V\n",
                                          "layer/python/shared.py": "V = 1\n"},
        extra_resources={"Shared": {"Type": "AWS::Serverless::LayerVersion",
                                    "Properties": {"LayerName": "shared", "ContentUri": "layer"}}})

    def write() -> object:
        return load_project(tmp_path / "template.yaml")

    async with Engine(write()) as engine:  # type: ignore[arg-type]
        assert (await engine.invoke("Fn:live")).json() == 1
        assert engine.get_alias("Fn", "live").function_version == "1"
    async with Engine(write()) as engine:  # type: ignore[arg-type]
        assert engine.get_alias("Fn", "live").function_version == "1"   # nothing changed: no new version
        assert [v.version for v in engine.list_layer_versions("shared")] == [1]
    (tmp_path / "layer" / "python" / "shared.py").write_text("V = 2\n")
    async with Engine(write()) as engine:  # type: ignore[arg-type]
        assert [v.version for v in engine.list_layer_versions("shared")] == [2, 1]
        assert engine.get_alias("Fn", "live").function_version == "2"
        assert (await engine.invoke("Fn:live")).json() == 2
