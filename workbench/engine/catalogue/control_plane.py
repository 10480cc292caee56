"""The control plane for functions, versions, aliases, layers and deployment packages.

A component of the `Engine` façade (which delegates to it), kept apart so that the invoke path and the
control plane each stay readable. Every change is validated as Lambda validates it, applied to the
registry, written to the project's state and announced as a `CatalogueChanged` event.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from workbench.engine.catalogue.code_store import CodeSnapshot, CodeStore
from workbench.engine.catalogue.functions import Alias, FunctionEntry, FunctionRegistry, parse_name
from workbench.engine.catalogue.layers import LayerRegistry, LayerVersion
from workbench.engine.catalogue.versions import FunctionVersion
from workbench.engine.core.clock import Clock
from workbench.engine.core.errors import (
    InvalidParameterValueError,
    ResourceConflictError,
    ResourceNotFoundError,
    check_revision_id,
)
from workbench.engine.execution.scheduler import Scheduler
from workbench.engine.observation.changes import ChangeAnnouncer
from workbench.engine.observation.events import CatalogueResource as Resource
from workbench.engine.observation.events import Change, EventBus
from workbench.engine.store.project_state import AliasRow, FunctionRow, LayerRow, ProjectState, VersionRow
from workbench.model.arn import LATEST
from workbench.model.function import ConfigError, FunctionConfig, validate_function
from workbench.model.limits import UNZIPPED_MAX
from workbench.model.runtimes import Family, lookup_runtime

_INLINE_EXTENSIONS = {Family.PYTHON: ".py", Family.NODEJS: ".js"}

#: FunctionConfig fields UpdateFunctionConfiguration may change (the rest belong to the function's identity
#: or to the template).
UPDATABLE = ("runtime", "handler", "memory_size", "timeout", "environment", "description", "ephemeral_storage",
             "layers", "role", "tracing_mode", "architectures", "snap_start", "dead_letter_target")


def _invalid(error: ConfigError) -> InvalidParameterValueError:
    plain = error.prop in ("FunctionName", "DeadLetterConfig")
    return InvalidParameterValueError(error.message if plain else str(error))


class Catalogue:
    """Functions, versions, aliases, layers and packages: validated as Lambda validates them, applied to the
    registries, written to the project's state, and announced on the event bus."""

    def __init__(self, registry: FunctionRegistry, layers: LayerRegistry, code: CodeStore, state: ProjectState,
                 scheduler: Scheduler, clock: Clock, bus: EventBus) -> None:
        self.registry = registry
        self.layers = layers
        self.code = code
        self.state = state
        self.scheduler = scheduler
        self.clock = clock
        self.bus = bus
        self._announce = ChangeAnnouncer(bus, clock)

    # -- code -------------------------------------------------------------------------------------------
    async def _snapshot(self, config: FunctionConfig) -> CodeSnapshot:
        if config.inline_code is not None:
            family = lookup_runtime(config.runtime).family
            module = config.handler.rsplit(".", 1)[0] if "." in config.handler else "index"
            filename = module + _INLINE_EXTENSIONS.get(family, "")
            return await asyncio.to_thread(self.code.from_inline, filename, config.inline_code)
        if config.code_uri is None:
            raise InvalidParameterValueError("A function needs code: a ZipFile, a folder or inline code")
        return await asyncio.to_thread(self.code.snapshot, config.code_uri)

    async def _package(self, package: bytes) -> CodeSnapshot:
        return await asyncio.to_thread(self.code.from_zip, package)

    @staticmethod
    def _check_total_size(code: CodeSnapshot, layers: tuple[LayerVersion, ...]) -> None:
        total = code.size + sum(layer.content.size for layer in layers)
        if total > UNZIPPED_MAX:
            raise InvalidParameterValueError(f"Function code combined with layers exceeds the maximum allowed size of "
                                             f"{UNZIPPED_MAX} bytes. The actual size is {total} bytes.")

    # -- functions --------------------------------------------------------------------------------------
    async def create_function(self, config: FunctionConfig, package: bytes | None = None, *, source: str = "api",
                              publish: bool = False, code: CodeSnapshot | None = None,
                              persist: bool = True) -> FunctionVersion:
        """Add a function from a deployment package (``package``), or from the config's folder or inline code."""
        if config.name in self.registry:
            raise ResourceConflictError(f"Function already exist: {config.name}")
        snapshot = code or (await self._package(package) if package is not None else await self._snapshot(config))
        if config.name in self.registry:  # created by a concurrent request while the package was unpacked
            raise ResourceConflictError(f"Function already exist: {config.name}")
        layers = self.layers.resolve(config.layers)
        self._check_total_size(snapshot, layers)
        latest = FunctionVersion(config, LATEST, snapshot, layers, 0, self.clock.time())
        entry = FunctionEntry(latest, source=source)
        self.registry.add(entry)
        self.scheduler.pool(config.name)
        if persist:
            await self.save_function_state(entry)
        self._announce(Resource.FUNCTION, Change.CREATED, config.name)
        if publish:
            await self.publish_version(config.name)
        return entry.latest

    async def save_function_state(self, entry: FunctionEntry) -> None:
        latest = entry.latest
        await self.state.save_function(FunctionRow(
            entry.name, entry.source, latest.config.to_document(), latest.code.digest, [v.arn for v in latest.layers],
            latest.last_modified, latest.revision_id, entry.last_version_number))

    def _replace_latest(self, entry: FunctionEntry, config: FunctionConfig, code: CodeSnapshot,
                        layers: tuple[LayerVersion, ...]) -> FunctionVersion:
        current = entry.latest
        entry.latest = FunctionVersion(config, LATEST, code, layers, current.revision + 1, self.clock.time())
        self.scheduler.retire(entry.name, LATEST, "code-update")
        self._announce(Resource.FUNCTION, Change.UPDATED, entry.name, LATEST)
        return entry.latest

    async def update_function_code(self, name: str, package: bytes | None = None, *, publish: bool = False,
                                   revision_id: str | None = None) -> FunctionVersion:
        """New code for $LATEST: a deployment package, or (None) a fresh snapshot of the function's folder.
        Warm environments of $LATEST are retired; the next invocation cold-starts on the new code."""
        entry = self.registry.get(name)
        check_revision_id(entry.latest.revision_id, revision_id)
        code = await self._package(package) if package is not None else await self._snapshot(entry.config)
        entry = self.registry.get(name)  # the package took a while: check again what concurrent requests changed
        check_revision_id(entry.latest.revision_id, revision_id)
        self._check_total_size(code, entry.latest.layers)
        latest = self._replace_latest(entry, entry.config, code, entry.latest.layers)
        await self.save_function_state(entry)
        if publish:
            return await self.publish_version(entry.name)
        return latest

    async def reload_code(self, name: str) -> FunctionVersion:
        """Take a fresh snapshot of $LATEST's code from disk (a hot reload after an edit)."""
        return await self.update_function_code(name)

    async def update_function_configuration(self, name: str, *, revision_id: str | None = None,
                                            **changes: Any) -> FunctionVersion:
        """Change $LATEST's configuration (``changes`` are FunctionConfig fields from `UPDATABLE`)."""
        entry = self.registry.get(name)
        check_revision_id(entry.latest.revision_id, revision_id)
        unknown = set(changes) - set(UPDATABLE)
        if unknown:
            raise InvalidParameterValueError(f"cannot update {', '.join(sorted(unknown))}")
        current = entry.config
        values = {field: getattr(current, field) for field in UPDATABLE}
        values.update(changes)
        try:
            config = validate_function(
                name=current.name, code_uri=current.code_uri, inline_code=current.inline_code,
                logical_id=current.logical_id, reserved_concurrency=current.reserved_concurrency,
                auto_publish_alias=current.auto_publish_alias,
                provisioned_concurrency=current.provisioned_concurrency, require_code=False, **values)
        except ConfigError as exc:
            raise _invalid(exc) from None
        layers = self.layers.resolve(config.layers, attached=entry.latest.layers)
        self._check_total_size(entry.latest.code, layers)
        latest = self._replace_latest(entry, config, entry.latest.code, layers)
        await self.save_function_state(entry)
        return latest

    async def delete_function(self, name: str, qualifier: str | None = None) -> None:
        """Delete a function (all its versions and aliases), or only one published version."""
        entry = self.registry.get(name)
        if qualifier is not None and qualifier != LATEST:
            if qualifier not in entry.versions:
                raise ResourceNotFoundError(f"Function not found: {self.registry.arn(entry.name, qualifier)}")
            users = [alias.name for alias in entry.aliases.values()
                     if alias.function_version == qualifier or qualifier in dict(alias.additional_weights)]
            if users:
                raise ResourceConflictError(f"Unable to delete version because the following aliases reference it: "
                                            f"{users}")
            del entry.versions[qualifier]
            self.scheduler.retire(entry.name, qualifier, "deleted")
            await self.scheduler.snapshots.discard(entry.name, qualifier)   # SnapStart: its snapshot goes too
            await self.state.delete_version(entry.name, qualifier)
            self._announce(Resource.VERSION, Change.DELETED, entry.name, qualifier)
            return
        self.registry.remove(entry.name)
        await self.scheduler.remove_function(entry.name)
        await self.state.delete_function(entry.name)
        self._announce(Resource.FUNCTION, Change.DELETED, entry.name)

    def function_version(self, name: str, qualifier: str | None = None) -> FunctionVersion:
        """$LATEST, a published version, or the version an alias points to."""
        entry = self.registry.get(name)
        if qualifier is None or qualifier == LATEST:
            return entry.latest
        if qualifier in entry.versions:
            return entry.versions[qualifier]
        if qualifier in entry.aliases:
            target = entry.aliases[qualifier].function_version
            return entry.latest if target == LATEST else entry.versions[target]
        raise ResourceNotFoundError(f"Function not found: {self.registry.arn(entry.name, qualifier)}")

    def list_versions(self, name: str) -> list[FunctionVersion]:
        entry = self.registry.get(name)
        return [entry.latest, *(entry.versions[key] for key in sorted(entry.versions, key=int))]

    # -- versions and aliases ---------------------------------------------------------------------------
    async def publish_version(self, function: str, description: str = "", *, code_sha256: str | None = None,
                              revision_id: str | None = None) -> FunctionVersion:
        entry = self.registry.get(function)
        published = self.registry.publish(entry.name, self.clock.time(), description, code_sha256, revision_id)
        await self.state.save_version(VersionRow(
            entry.name, published.version, published.config.to_document(), published.code.digest,
            [v.arn for v in published.layers], published.last_modified, published.revision_id,
            published.version_description))
        await self.save_function_state(entry)
        if self.scheduler.snapshots.applies(published):
            # SnapStart: init and the before-snapshot hooks run now, once; a failure leaves the version Failed.
            with contextlib.suppress(ResourceConflictError):
                await self.scheduler.snapshots.ensure(published)
        self._announce(Resource.VERSION, Change.CREATED, entry.name, published.version)
        return published

    async def _save_alias(self, function: str, alias: Alias) -> None:
        await self.state.save_alias(AliasRow(function, alias.name, alias.function_version, alias.description,
                                             dict(alias.additional_weights), alias.revision_id))

    async def create_alias(self, function: str, name: str, function_version: str, description: str = "",
                           additional_weights: dict[str, float] | None = None) -> Alias:
        if function not in self.registry:  # AWS names the version the alias was to point to
            ref = parse_name(function)
            raise ResourceNotFoundError(f"Function not found: {self.registry.arn(ref.name, function_version)}")
        entry = self.registry.get(function)
        alias = self.registry.create_alias(entry.name, name, function_version, description, additional_weights)
        await self._save_alias(entry.name, alias)
        self._announce(Resource.ALIAS, Change.CREATED, entry.name, alias.name)
        return alias

    async def update_alias(self, function: str, name: str, function_version: str | None = None,
                           description: str | None = None, additional_weights: dict[str, float] | None = None,
                           revision_id: str | None = None) -> Alias:
        entry = self.registry.get(function)
        check_revision_id(self.registry.get_alias(entry.name, name).revision_id, revision_id)
        alias = self.registry.update_alias(entry.name, name, function_version, description, additional_weights)
        config = self.scheduler.provisioned.get((entry.name, name))
        if config is not None:  # provisioned environments follow the alias to its new version
            self.scheduler.set_provisioned(entry.name, name, self.function_version(entry.name, name),
                                           config.requested)
        await self._save_alias(entry.name, alias)
        self._announce(Resource.ALIAS, Change.UPDATED, entry.name, alias.name)
        return alias

    def get_alias(self, function: str, name: str) -> Alias:
        return self.registry.get_alias(function, name)

    def list_aliases(self, function: str, function_version: str | None = None) -> list[Alias]:
        entry = self.registry.get(function)
        return [alias for _, alias in sorted(entry.aliases.items())
                if function_version is None or alias.function_version == function_version]

    async def delete_alias(self, function: str, name: str) -> None:
        entry = self.registry.get(function)
        if name in entry.aliases:
            self.scheduler.delete_provisioned(entry.name, name)
        self.registry.delete_alias(entry.name, name)
        await self.state.delete_alias(entry.name, name)
        self._announce(Resource.ALIAS, Change.DELETED, entry.name, name)

    # -- layers -----------------------------------------------------------------------------------------
    async def publish_layer_version(self, name: str, package: bytes | Path, *, description: str = "",
                                    compatible_runtimes: tuple[str, ...] = (),
                                    compatible_architectures: tuple[str, ...] = (), license_info: str | None = None,
                                    source: str = "api") -> LayerVersion:
        """A new layer version from a ZIP (bytes) or a folder (templates' ContentUri)."""
        if isinstance(package, Path):
            content = await asyncio.to_thread(self.code.snapshot, package)
        else:
            content = await self._package(package)
        version = self.layers.publish(name, content, self.clock.time(), description=description,
                                      compatible_runtimes=compatible_runtimes,
                                      compatible_architectures=compatible_architectures, license_info=license_info,
                                      source=source)
        await self._save_layer(version)
        self._announce(Resource.LAYER, Change.CREATED, name, str(version.version))
        return version

    async def _save_layer(self, version: LayerVersion) -> None:
        await self.state.save_layer(LayerRow(
            version.name, version.version, version.content.digest, version.created, version.description,
            list(version.compatible_runtimes), list(version.compatible_architectures), version.license_info,
            version.source, self.layers.is_deleted(version)))

    def get_layer_version(self, name: str, version: int) -> LayerVersion:
        return self.layers.get(name, version)

    def list_layers(self, runtime: str | None = None, architecture: str | None = None) -> list[LayerVersion]:
        """The latest version of every layer (compatible with ``runtime`` and ``architecture`` when given)."""
        found = []
        for name in self.layers.names():
            versions = self.list_layer_versions(name, runtime, architecture)
            if versions:
                found.append(versions[0])
        return found

    def list_layer_versions(self, name: str, runtime: str | None = None,
                            architecture: str | None = None) -> list[LayerVersion]:
        """A layer's versions, newest first (compatible with ``runtime`` and ``architecture`` when given)."""
        return [v for v in self.layers.versions(name)
                if (runtime is None or runtime in v.compatible_runtimes)
                and (architecture is None or architecture in v.compatible_architectures)]

    async def delete_layer_version(self, name: str, version: int) -> None:
        try:
            found = self.layers.get(name, version)
        except ResourceNotFoundError:
            return  # deleting a version that is not there succeeds, as on AWS
        self.layers.delete(name, version)
        await self._save_layer(found)
        self._announce(Resource.LAYER, Change.DELETED, name, str(version))

    # -- packages ---------------------------------------------------------------------------------------
    def export_package(self, name: str, qualifier: str | None = None) -> bytes:
        """The deployment package (ZIP) of a function version: what GetFunction's Code.Location serves."""
        return self.function_version(name, qualifier).code.package.read_bytes()
