"""The one module that talks to the docker SDK. Everything else in the workbench goes through `DockerApi`.

The SDK blocks (it is `requests` over a Unix socket), so every call runs in a worker thread through
`asyncio.to_thread` (at most two at a time) and the event loop never waits on Docker. The one exception is
the event stream, which blocks for as long as the backend lives: it gets a thread of its own rather than
holding one of the few default-executor workers forever.
"""

from __future__ import annotations

import asyncio
import io
import logging
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import docker
import docker.errors

from workbench.backends.base import BackendError

log = logging.getLogger(__name__)
_T = TypeVar("_T")

_DEFAULT_SOCKET = "unix:///var/run/docker.sock"
#: Docker event handler: (action, attributes). Called in the event thread; hop to the loop yourself.
EventSink = Callable[[str, Mapping[str, str]], None]


class DockerApiError(BackendError):
    """Docker refused or failed an operation; the message is Docker's, prefixed with what we asked."""


@dataclass(frozen=True, slots=True)
class Bind:
    host_path: str
    container_path: str
    read_only: bool = True


@dataclass(frozen=True, slots=True)
class ContainerRequest:
    """What the backend asks for; the adapter turns it into the SDK's container and host configuration."""

    image: str
    command: Sequence[str]
    name: str
    labels: Mapping[str, str]
    environment: Mapping[str, str]
    working_dir: str
    user: str
    memory_bytes: int
    binds: Sequence[Bind] = ()
    tmpfs: Mapping[str, str] = field(default_factory=dict)
    read_only_root: bool = True
    pids_limit: int | None = None


def _failure(what: str, exc: Exception) -> DockerApiError:
    explanation = getattr(exc, "explanation", None) or str(exc)
    return DockerApiError(f"{what}: {explanation}")


class DockerApi:
    def __init__(self, client: docker.APIClient) -> None:
        self._client = client
        # Each SDK call holds the GIL for its Python part (HTTP, JSON); with many such threads at once the
        # event loop waits its turn for the GIL behind all of them. Two at a time keep it ticking (and two
        # cores' worth of dockerd is busy enough).
        self._slots = asyncio.Semaphore(2)
        self._events: Any = None
        self._event_thread: threading.Thread | None = None

    async def _call(self, function: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T:
        async with self._slots:
            return await asyncio.to_thread(function, *args, **kwargs)

    @classmethod
    async def connect(cls) -> DockerApi:
        """Connect to the engine named by DOCKER_HOST (default: the local socket) and check it answers."""
        def connect_and_ping() -> docker.APIClient:
            settings = docker.utils.kwargs_from_env()
            _check_unix_socket(str(settings.get("base_url") or _DEFAULT_SOCKET))
            client = docker.APIClient(**settings, version="auto", timeout=120)
            client.ping()
            return client
        try:
            return cls(await asyncio.to_thread(connect_and_ping))
        except docker.errors.DockerException as exc:
            raise BackendError(f"cannot reach a Docker engine ({exc}). Start one (for example `dockerd "
                               "--bridge=none --iptables=false` as root) or use --backend process") from None

    async def engine_version(self) -> str:
        """The engine's version, as `docker version` names it (for the About box)."""
        info = await self._call(self._client.version)
        return str(info.get("Version", "unknown"))

    async def close(self) -> None:
        await asyncio.to_thread(self.stop_events)
        await asyncio.to_thread(self._client.close)

    # -- events -----------------------------------------------------------------------------------------
    async def watch_events(self, labels: Mapping[str, str], sink: EventSink) -> None:
        """Deliver container events (die, exec_die, oom, ...) of containers carrying ``labels`` to ``sink``.
        Returns once the subscription is live, so no event of a container started afterwards is missed."""
        filters = {"type": ["container"], "label": [f"{key}={value}" for key, value in labels.items()]}
        self._events = await asyncio.to_thread(self._client.events, filters=filters, decode=True)
        stream = self._events

        def pump() -> None:
            try:
                for event in stream:
                    action = str(event.get("Action") or event.get("status") or "")
                    attributes = dict(event.get("Actor", {}).get("Attributes", {}))
                    attributes.setdefault("id", str(event.get("id") or event.get("Actor", {}).get("ID", "")))
                    sink(action, attributes)
            except Exception as exc:  # the stream ends with an error when we close it
                if self._events is stream:
                    log.warning("Docker event stream ended: %s", exc)

        self._event_thread = threading.Thread(target=pump, name="docker-events", daemon=True)
        self._event_thread.start()

    def stop_events(self) -> None:
        stream, self._events = self._events, None
        if stream is not None:
            stream.close()

    # -- containers -------------------------------------------------------------------------------------
    async def create_container(self, request: ContainerRequest) -> str:
        def create() -> str:
            host_config = self._client.create_host_config(
                network_mode="host", mem_limit=request.memory_bytes, memswap_limit=request.memory_bytes,
                binds=[f"{b.host_path}:{b.container_path}:{'ro' if b.read_only else 'rw'}" for b in request.binds],
                tmpfs=dict(request.tmpfs), read_only=request.read_only_root, pids_limit=request.pids_limit,
                log_config={"type": "none", "config": {}},
            )
            created = self._client.create_container(
                request.image, list(request.command), name=request.name, labels=dict(request.labels),
                environment=dict(request.environment), working_dir=request.working_dir, user=request.user,
                host_config=host_config, detach=True,
            )
            return str(created["Id"])
        try:
            return await self._call(create)
        except docker.errors.DockerException as exc:
            raise _failure(f"creating container {request.name}", exc) from None

    async def start_container(self, container: str) -> int:
        """Start it; returns the host pid of its first process."""
        def start() -> int:
            self._client.start(container)
            return int(self._client.inspect_container(container)["State"]["Pid"])
        try:
            return await self._call(start)
        except docker.errors.DockerException as exc:
            raise _failure(f"starting container {container[:12]}", exc) from None

    async def inspect_container(self, container: str) -> dict[str, Any] | None:
        try:
            info: dict[str, Any] = await self._call(self._client.inspect_container, container)
        except docker.errors.NotFound:
            return None
        return info

    async def create_exec(self, container: str, command: Sequence[str], user: str, workdir: str,
                          environment: Mapping[str, str] | None = None) -> str:
        """``environment``: variables of this process, over the container's own."""
        try:
            created = await self._call(self._client.exec_create, container, list(command), stdout=False,
                                       stderr=False, user=user, workdir=workdir,
                                       environment=dict(environment) if environment else None)
        except docker.errors.DockerException as exc:
            raise _failure(f"running {command[0]} in container {container[:12]}", exc) from None
        return str(created["Id"])

    async def start_exec(self, exec_id: str) -> None:
        try:
            await self._call(self._client.exec_start, exec_id, detach=True)
        except docker.errors.DockerException as exc:
            raise _failure("starting the runtime", exc) from None

    async def pause(self, container: str) -> None:
        await self._call(self._client.pause, container)

    async def unpause(self, container: str) -> None:
        await self._call(self._client.unpause, container)

    async def remove_container(self, container: str) -> None:
        """Kill and remove; a container that is already gone is fine."""
        try:
            await self._call(self._client.remove_container, container, force=True)
        except docker.errors.NotFound:
            return
        except docker.errors.APIError as exc:
            if exc.status_code == 409 and "already in progress" in str(exc):
                return
            raise _failure(f"removing container {container[:12]}", exc) from None

    async def list_containers(self, label: str) -> list[dict[str, Any]]:
        """Every container (running or not) that carries ``label`` (a key, or key=value)."""
        found: list[dict[str, Any]] = await self._call(self._client.containers, all=True,
                                                              filters={"label": label})
        return found

    # -- images -----------------------------------------------------------------------------------------
    async def image_labels(self, reference: str) -> dict[str, str] | None:
        """The image's labels, or None when there is no such image locally."""
        try:
            info = await self._call(self._client.inspect_image, reference)
        except docker.errors.ImageNotFound:
            return None
        except docker.errors.NotFound:
            return None
        return dict(info.get("Config", {}).get("Labels") or {})

    async def image_id(self, reference: str) -> str | None:
        try:
            info = await self._call(self._client.inspect_image, reference)
        except docker.errors.NotFound:
            return None
        return str(info["Id"])

    async def import_rootfs(self, tar_path: str, repository: str, tag: str, labels: Mapping[str, str]) -> None:
        changes = [f"LABEL {key}={_quote(value)}" for key, value in labels.items()]
        try:
            await asyncio.to_thread(self._client.import_image_from_file, tar_path, repository=repository, tag=tag,
                                    changes=changes)
        except docker.errors.DockerException as exc:
            raise _failure(f"importing {repository}:{tag}", exc) from None

    async def label_image(self, base: str, reference: str, labels: Mapping[str, str]) -> None:
        """`FROM base` plus labels, built offline from a local image (never pulled)."""
        dockerfile = f"FROM {base}\n".encode()

        def build() -> None:
            for chunk in self._client.build(fileobj=io.BytesIO(dockerfile), tag=reference, labels=dict(labels),
                                            pull=False, rm=True, forcerm=True, decode=True, network_mode="none"):
                if "error" in chunk:
                    raise DockerApiError(f"building {reference}: {chunk['error']}")
        try:
            await asyncio.to_thread(build)
        except docker.errors.DockerException as exc:
            raise _failure(f"building {reference}", exc) from None

    async def run_once(self, image: str, command: Sequence[str]) -> tuple[int, str]:
        """Run ``command`` in a throw-away container (no network); returns (exit status, output)."""
        def run() -> tuple[int, str]:
            created = self._client.create_container(
                image, list(command), host_config=self._client.create_host_config(network_mode="none"))
            try:
                self._client.start(created["Id"])
                status = self._client.wait(created["Id"], timeout=120)
                output = self._client.logs(created["Id"], stdout=True, stderr=True)
            finally:
                self._client.remove_container(created["Id"], force=True)
            return int(status.get("StatusCode", -1)), output.decode("utf-8", "replace")
        try:
            return await asyncio.to_thread(run)
        except docker.errors.DockerException as exc:
            raise _failure(f"running {command[0]} in {image}", exc) from None

    async def list_images(self, label: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await asyncio.to_thread(self._client.images, filters={"label": label})
        return found

    async def remove_image(self, reference: str) -> None:
        try:
            await asyncio.to_thread(self._client.remove_image, reference, force=False)
        except docker.errors.NotFound:
            return
        except docker.errors.APIError as exc:
            raise _failure(f"removing image {reference}", exc) from None


def _check_unix_socket(base_url: str) -> None:
    """Fail early, with our own socket, when nothing listens: the SDK leaks the socket of a failed connect."""
    if not base_url.startswith(("unix://", "http+unix://")):
        return
    path = base_url.split("://", 1)[1]
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(10)
        probe.connect(path)
    except OSError as exc:
        raise docker.errors.DockerException(f"{path}: {exc.strerror or exc}") from None
    finally:
        probe.close()


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
