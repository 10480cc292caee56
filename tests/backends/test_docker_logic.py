"""The Docker backend's bookkeeping, without a Docker engine (a fake client; the real engine is tested in
test_docker_backend.py, which CI requires)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("docker")

from tests.fakes.docker_client import FakeDockerClient
from workbench.backends.docker import remove_leftovers
from workbench.backends.docker_api import DockerApi
from workbench.backends.ownership import OWNER_LABEL, owner_token


def _dead_owner() -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    token = owner_token(child.pid)
    child.wait()
    return token


async def test_only_containers_of_gone_workbenches_are_removed() -> None:
    client = FakeDockerClient()
    client.add("mine", {OWNER_LABEL: owner_token(os.getpid())}, state="running", pid=os.getpid())
    client.add("crashed", {OWNER_LABEL: _dead_owner()})
    client.add("other-boot", {OWNER_LABEL: "another-boot/1/1"})
    client.add("damaged", {OWNER_LABEL: "not a token"})
    client.add("not-ours", {"some.other": "label"})
    removed = await remove_leftovers(DockerApi(client))
    assert removed == 3
    assert sorted(client.containers_by_id) == ["mine", "not-ours"]


async def test_a_container_removed_meanwhile_is_not_an_error() -> None:
    client = FakeDockerClient()
    api = DockerApi(client)
    await api.remove_container("never-there")
    assert client.calls == [("remove_container", ("never-there", True))]
