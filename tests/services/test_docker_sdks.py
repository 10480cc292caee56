"""The SDKs in containers: the same unchanged functions, on the Docker backend, reach the local services
through the engine's gateway (host networking, loopback) with the SDKs mounted at /var/sdk."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from tests.docker_support import require_docker
from tests.services.conftest import write_project
from workbench.engine import Engine
from workbench.model.project import load_project
from workbench.services import client_for
from workbench.services.sdk import CONTAINER_ROOT, installed_sdks

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.mark.parametrize("function", ["py-writer", "node-writer"])
async def test_functions_use_the_sdks_in_containers(tmp_path: Path, function: str) -> None:
    require_docker()
    if function == "node-writer" and shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    paths = installed_sdks()
    if paths.python is None or paths.node_modules is None:
        pytest.fail("the SDKs are not built: run `workbench sdk build`")
    project = load_project(write_project(tmp_path / "project") / "template.yaml")
    async with Engine(project, backend="docker", state_dir=tmp_path / "state") as engine:
        result = await engine.invoke(function, json.dumps({"id": f"docker-{function}"}).encode())
        payload = json.loads(result.payload)
        assert result.function_error is None, payload
        assert (payload.get("boto3") or payload.get("sdk")).startswith(CONTAINER_ROOT + "/")
        item = await asyncio.to_thread(lambda: client_for("dynamodb", engine.services.endpoint_url, "us-east-1")
                                       .get_item(TableName="Simple", Key={"id": {"S": f"docker-{function}"}}))
        assert item["Item"]["by"]["S"] == ("python" if function == "py-writer" else "node")
