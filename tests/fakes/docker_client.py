"""A stand-in for `docker.APIClient` holding containers in a dict, so the Docker backend's own logic (which
containers it removes, what it asks for) is covered on machines without a Docker engine. The real Docker tests
(tests/backends/test_docker_backend.py) stay, and CI requires them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import docker.errors


@dataclass
class FakeDockerClient:
    containers_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def add(self, container_id: str, labels: dict[str, str], state: str = "exited", pid: int = 0) -> None:
        self.containers_by_id[container_id] = {"Id": container_id, "Labels": labels, "State": state, "Pid": pid}

    def containers(self, all: bool = False, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        self.calls.append(("containers", (all, filters)))
        label = (filters or {}).get("label", "")
        key, _, value = label.partition("=")
        return [dict(c) for c in self.containers_by_id.values()
                if key in c["Labels"] and (not value or c["Labels"][key] == value)]

    def inspect_container(self, container: str) -> dict[str, Any]:
        self.calls.append(("inspect_container", (container,)))
        found = self.containers_by_id.get(container)
        if found is None:
            raise docker.errors.NotFound(f"No such container: {container}")
        return {"Id": container, "State": {"Pid": found["Pid"], "Status": found["State"]}}

    def remove_container(self, container: str, force: bool = False) -> None:
        self.calls.append(("remove_container", (container, force)))
        if self.containers_by_id.pop(container, None) is None:
            raise docker.errors.NotFound(f"No such container: {container}")

    def close(self) -> None:
        self.calls.append(("close", ()))
