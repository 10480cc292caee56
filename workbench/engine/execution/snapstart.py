"""SnapStart: one snapshot per published version, and environments restored from it.

On AWS, publishing a version of a function with `SnapStart: {ApplyOn: PublishedVersions}` runs its init once,
runs the before-snapshot hooks and snapshots the environment; every environment of that version is then
restored from the snapshot (after-restore hooks, then serving) instead of running init again. `$LATEST` is never
snapshotted. Here the snapshot is a process the backend keeps (see `workbench.backends.snapshots`), made when
the version is published, or at its first invocation after the engine restarts.

A failed snapshot (init or a before-snapshot hook raised) leaves the version Failed, as AWS does: its
configuration says why (State Failed, StateReasonCode FunctionError) and invoking it is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass

from workbench.backends.base import LaunchError, Snapshot, SnapshotError
from workbench.engine.catalogue.versions import FunctionVersion
from workbench.engine.core.errors import ResourceConflictError
from workbench.engine.execution.environment import EnvironmentServices, launch_spec
from workbench.engine.observation import logformat
from workbench.engine.observation.events import InitType, LogLine
from workbench.model.arn import LATEST, runtime_version_arn

#: Address a snapshot's init sees as AWS_LAMBDA_RUNTIME_API: it never calls it (the snapshot reports on its
#: control socket); each restored environment gets its own.
_NO_RUNTIME_API = "127.0.0.1:9"


@dataclass(frozen=True, slots=True)
class SnapshotFailure:
    """Why a version's snapshot could not be made: its State Failed, as GetFunctionConfiguration shows it."""

    error_type: str
    message: str

    @property
    def reason(self) -> str:
        return f"{self.error_type}: {self.message}"


class SnapshotRegistry:
    def __init__(self, services: EnvironmentServices) -> None:
        self._services = services
        self._snapshots: dict[tuple[str, str], Snapshot] = {}
        self._failures: dict[tuple[str, str], SnapshotFailure] = {}
        self._making: dict[tuple[str, str], asyncio.Future[Snapshot | None]] = {}

    def applies(self, version: FunctionVersion) -> bool:
        """SnapStart is on for published versions only (never $LATEST), where the backend can snapshot."""
        return (version.version != LATEST and version.config.snap_start == "PublishedVersions"
                and self._services.backend.supports_snapshots(version.runtime))

    def failure(self, version: FunctionVersion) -> SnapshotFailure | None:
        return self._failures.get((version.name, version.version))

    async def ensure(self, version: FunctionVersion) -> Snapshot | None:
        """The version's snapshot, made now if there is none; None where SnapStart does not apply. Raises
        ResourceConflictError when the version's snapshot failed."""
        if not self.applies(version):
            return None
        key = (version.name, version.version)
        snapshot = self._snapshots.get(key)
        if snapshot is not None and snapshot.alive:
            return snapshot
        if key not in self._failures:
            making = self._making.get(key)
            if making is None:   # one snapshot per version, however many requests wait for it
                making = self._making[key] = asyncio.ensure_future(self._make(version))
                making.add_done_callback(lambda _: self._making.pop(key, None))
            snapshot = await asyncio.shield(making)
        failure = self._failures.get(key)
        if failure is not None or snapshot is None:
            reason = failure.reason if failure is not None else "the snapshot is gone"
            raise ResourceConflictError("The operation cannot be performed at this time. The function is currently "
                                        f"in the following state: Failed ({reason})")
        return snapshot

    async def _make(self, version: FunctionVersion) -> Snapshot | None:
        key = (version.name, version.version)
        services = self._services
        clock, bus = services.clock, services.bus
        snapshot_id = f"snapshot-{uuid.uuid4().hex}"
        stream = logformat.log_stream_name(clock.time(), version.version, snapshot_id)

        def emit(message: str, platform: bool = False) -> None:
            bus.publish(LogLine(clock.time(), version.name, stream, None, message, platform))

        label = await services.backend.runtime_version(version.runtime)
        emit(logformat.init_start_line(label, runtime_version_arn(label, services.settings.region)), True)
        started = clock.monotonic()
        spec = launch_spec(services, version, snapshot_id, InitType.SNAP_START, stream, _NO_RUNTIME_API,
                           services.scratch_root / snapshot_id)
        # Lambda gives a snapshot's init max(130 s, the function's timeout), at most 900 s (spec, limits).
        budget_s = min(900.0, max(130.0, float(version.config.timeout)))
        try:
            snapshot = await services.backend.snapshot(spec, emit)
            await snapshot.wait_ready(budget_s)
        except SnapshotError as exc:
            error_type = str(exc.error.get("errorType") or "Runtime.Unknown")
            self._failures[key] = SnapshotFailure(error_type, str(exc.error.get("errorMessage") or ""))
            emit(logformat.init_report_line((clock.monotonic() - started) * 1000.0, "init", "error", error_type), True)
            return None
        except LaunchError as exc:
            self._failures[key] = SnapshotFailure(exc.error_type, exc.message)
            emit(logformat.init_report_line((clock.monotonic() - started) * 1000.0, "init", "error",
                                            exc.error_type), True)
            return None
        emit(logformat.init_report_line((clock.monotonic() - started) * 1000.0, "init"), True)
        self._snapshots[key] = snapshot
        return snapshot

    async def discard(self, function: str, version: str | None = None) -> None:
        """Let go of a deleted function's (or version's) snapshots."""
        for key in [k for k in self._snapshots if k[0] == function and version in (None, k[1])]:
            await self._snapshots.pop(key).close()
        for key in [k for k in self._failures if k[0] == function and version in (None, k[1])]:
            del self._failures[key]

    async def close(self) -> None:
        snapshots, self._snapshots = list(self._snapshots.values()), {}
        for snapshot in snapshots:
            with contextlib.suppress(Exception):
                await snapshot.close()
