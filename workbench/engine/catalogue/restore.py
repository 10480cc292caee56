"""Bringing a project up at start: what the state remembers, then what the template declares.

The rule between the two: the template is the source of truth for what it declares — its functions'
$LATEST code and configuration, their reserved and provisioned concurrency, AutoPublishAlias, and its
layers — and it is applied again at every start. Everything else is restored from `.workbench/state.db`:
functions created through the API (unless the template now declares a function of the same name: the
template wins), published versions and aliases of every function, layer versions, and concurrency
settings made through the API for functions the template does not configure.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from workbench.engine.asynchronous.template import with_dead_letter_target
from workbench.engine.catalogue.functions import Alias, FunctionEntry
from workbench.engine.catalogue.layers import LayerVersion
from workbench.engine.catalogue.versions import FunctionVersion
from workbench.engine.concurrency.autoscaling import AutoscalingPolicy
from workbench.engine.core.errors import ResourceNotFoundError
from workbench.engine.store.project_state import Snapshot
from workbench.model.arn import LATEST, parse_layer_arn
from workbench.model.function import FunctionConfig
from workbench.model.project import Project

if TYPE_CHECKING:
    from workbench.engine.facade import Engine

log = logging.getLogger(__name__)


def _layers_by_arn(engine: Engine, arns: list[str]) -> tuple[LayerVersion, ...] | None:
    found = []
    for arn in arns:
        ref = parse_layer_arn(arn)
        if ref is None or ref.version is None:
            return None
        try:
            found.append(engine.layers.get(ref.name, ref.version, include_deleted=True))
        except ResourceNotFoundError:
            return None
    return tuple(found)


def _restore_layers(engine: Engine, state: Snapshot) -> None:
    for row in state.layers:
        content = engine.code.existing(row.code)
        if content is None:
            log.warning("layer %s:%s: its content is missing from .workbench/code; skipped", row.name, row.version)
            continue
        engine.layers.add(LayerVersion(row.name, row.version, engine.layers.arn(row.name, row.version),
                                       engine.layers.arn(row.name), content, row.created, row.description,
                                       tuple(row.runtimes), tuple(row.architectures), row.license, row.source),
                          deleted=row.deleted)


async def _apply_template_layers(engine: Engine, project: Project) -> None:
    for layer in project.template.layers:
        content = engine.code.snapshot(layer.content_uri)
        latest = engine.layers.latest(layer.name, source="template")
        if latest is not None and latest.content.digest == content.digest:
            continue
        await engine.publish_layer_version(layer.name, layer.content_uri, description=layer.description,
                                           compatible_runtimes=layer.compatible_runtimes,
                                           license_info=layer.license_info, source="template")


def _restore_function(engine: Engine, row_config: dict[str, object], code_digest: str, layer_arns: list[str],
                      version: str, last_modified: float, revision_id: str,
                      description: str | None = None) -> FunctionVersion | None:
    code = engine.code.existing(code_digest)
    layers = _layers_by_arn(engine, layer_arns)
    if code is None or layers is None:
        log.warning("%s:%s: its code or layers are missing from .workbench; skipped", row_config.get("name"), version)
        return None
    return FunctionVersion(FunctionConfig.from_document(row_config), version, code, layers, 0, last_modified,
                           revision_id, description)


async def restore(engine: Engine, project: Project | None, state: Snapshot) -> None:
    _restore_layers(engine, state)
    declared: set[str] = set()
    if project is not None:
        await _apply_template_layers(engine, project)
        for config in project.functions:
            config = with_dead_letter_target(config, project.template)
            await engine.create_function(config, source="template", persist=False)
            declared.add(config.name)
    counters = {row.name: row.last_version for row in state.functions}
    for row in state.functions:
        if row.source != "api":
            continue
        if row.name in declared:
            log.warning("function %s is now declared by the template, which wins over the one created through the "
                        "API", row.name)
            continue
        latest = _restore_function(engine, row.config, row.code, row.layers, LATEST, row.last_modified,
                                   row.revision_id)
        if latest is not None:
            engine.registry.add(FunctionEntry(latest, source="api"))
            engine.scheduler.pool(row.name)
    for version_row in state.versions:
        if version_row.function not in engine.registry:
            continue
        entry = engine.registry.get(version_row.function)
        published = _restore_function(engine, version_row.config, version_row.code, version_row.layers,
                                      version_row.version, version_row.last_modified, version_row.revision_id,
                                      version_row.description)
        if published is not None:
            entry.versions[version_row.version] = published
    for entry in engine.registry:
        numbers = [int(number) for number in entry.versions]
        entry.last_version_number = max([counters.get(entry.name, 0), *numbers])
    for alias_row in state.aliases:
        if alias_row.function in engine.registry:
            entry = engine.registry.get(alias_row.function)
            if alias_row.version == LATEST or alias_row.version in entry.versions:
                entry.aliases[alias_row.name] = Alias(alias_row.name, alias_row.version, alias_row.description,
                                                      tuple(alias_row.weights.items()), alias_row.revision_id)
    for entry in engine.registry:
        if entry.source == "template":   # their version counters must survive the next start
            await engine.save_function_state(entry)
    await _apply_concurrency(engine, project, state)


async def _apply_concurrency(engine: Engine, project: Project | None, state: Snapshot) -> None:
    template_configs = {config.name: config for config in (project.functions if project else ())}
    for name, reserved in state.reserved.items():
        if name in engine.registry and (name not in template_configs or
                                        template_configs[name].reserved_concurrency is None):
            await engine.put_function_concurrency(name, reserved, persist=False)
    template_provisioned: set[tuple[str, str]] = set()
    for config in template_configs.values():
        if config.reserved_concurrency is not None:
            await engine.put_function_concurrency(config.name, config.reserved_concurrency)
        if config.auto_publish_alias:
            version = await engine.publish_version(config.name)
            entry = engine.registry.get(config.name)
            if config.auto_publish_alias in entry.aliases:
                await engine.update_alias(config.name, config.auto_publish_alias, version.version)
            else:
                await engine.create_alias(config.name, config.auto_publish_alias, version.version)
            if config.provisioned_concurrency:
                await engine.put_provisioned_concurrency(config.name, config.auto_publish_alias,
                                                         config.provisioned_concurrency, persist=False)
                template_provisioned.add((config.name, config.auto_publish_alias))
    for name, qualifier, requested in state.provisioned:
        if name in engine.registry and (name, qualifier) not in template_provisioned:
            try:
                await engine.put_provisioned_concurrency(name, qualifier, requested, persist=False)
            except ResourceNotFoundError:
                log.warning("provisioned concurrency of %s:%s: the alias or version is gone; skipped", name, qualifier)
    for scaling in project.template.autoscaling if project else ():
        await engine.put_provisioned_autoscaling(scaling.function, scaling.qualifier, AutoscalingPolicy(
            scaling.target_utilisation, scaling.min_capacity, scaling.max_capacity,
            scaling.scale_out_cooldown_s, scaling.scale_in_cooldown_s))
