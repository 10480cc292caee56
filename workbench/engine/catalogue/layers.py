"""Layers (spec §8): immutable, numbered versions of a ZIP extracted into /opt, in order, under functions.

Versions are numbered from 1 and never reused. A deleted version disappears from listings and cannot be
attached to new configurations, but functions (and published versions) that already reference it keep it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.engine.catalogue.code_store import CodeSnapshot
from workbench.engine.core.errors import InvalidParameterValueError, ResourceNotFoundError
from workbench.model.arn import layer_arn, parse_layer_arn
from workbench.model.limits import LAYERS_MAX


@dataclass(frozen=True, slots=True)
class LayerVersion:
    name: str
    version: int
    arn: str                      # the version ARN
    layer_arn: str                # the layer ARN (no version)
    content: CodeSnapshot
    created: float
    description: str = ""
    compatible_runtimes: tuple[str, ...] = ()
    compatible_architectures: tuple[str, ...] = ()
    license_info: str | None = None
    source: str = "api"           # "template" when published from an AWS::Serverless::LayerVersion


@dataclass(slots=True)
class _Layer:
    versions: dict[int, LayerVersion] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    last_version: int = 0


class LayerRegistry:
    def __init__(self, region: str, account: str) -> None:
        self._region = region
        self._account = account
        self._layers: dict[str, _Layer] = {}

    def arn(self, name: str, version: int | None = None) -> str:
        return layer_arn(name, version, region=self._region, account=self._account)

    def add(self, version: LayerVersion, deleted: bool = False) -> None:
        """Restore a version (from the project's state) or record a new one."""
        layer = self._layers.setdefault(version.name, _Layer())
        layer.versions[version.version] = version
        layer.last_version = max(layer.last_version, version.version)
        if deleted:
            layer.deleted.add(version.version)

    def publish(self, name: str, content: CodeSnapshot, created: float, *, description: str = "",
                compatible_runtimes: tuple[str, ...] = (), compatible_architectures: tuple[str, ...] = (),
                license_info: str | None = None, source: str = "api") -> LayerVersion:
        layer = self._layers.setdefault(name, _Layer())
        number = layer.last_version + 1
        published = LayerVersion(name, number, self.arn(name, number), self.arn(name), content, created, description,
                                 compatible_runtimes, compatible_architectures, license_info, source)
        self.add(published)
        return published

    def latest(self, name: str, source: str | None = None) -> LayerVersion | None:
        layer = self._layers.get(name)
        if layer is None:
            return None
        live = [version for number, version in layer.versions.items()
                if number not in layer.deleted and (source is None or version.source == source)]
        return max(live, key=lambda v: v.version) if live else None

    def get(self, name: str, version: int, *, include_deleted: bool = False) -> LayerVersion:
        layer = self._layers.get(name)
        found = layer.versions.get(version) if layer else None
        if found is None or (not include_deleted and layer is not None and version in layer.deleted):
            raise ResourceNotFoundError("The resource you requested does not exist.")
        return found

    def delete(self, name: str, version: int) -> None:
        layer = self._layers.get(name)
        if layer is not None and version in layer.versions:
            layer.deleted.add(version)

    def is_deleted(self, version: LayerVersion) -> bool:
        layer = self._layers.get(version.name)
        return layer is not None and version.version in layer.deleted

    def names(self) -> list[str]:
        return sorted(name for name in self._layers if self.latest(name) is not None)

    def versions(self, name: str) -> list[LayerVersion]:
        layer = self._layers.get(name)
        if layer is None:
            return []
        return [v for n, v in sorted(layer.versions.items(), reverse=True) if n not in layer.deleted]

    def resolve(self, arns: tuple[str, ...] | list[str], *, attached: tuple[LayerVersion, ...] = ()) -> tuple[
            LayerVersion, ...]:
        """Layer version ARNs (or, from templates, unversioned layer ARNs meaning "latest") to versions.
        Versions already ``attached`` stay usable even if deleted since."""
        if len(arns) > LAYERS_MAX:
            raise InvalidParameterValueError(f"Cannot reference more than {LAYERS_MAX} layers.")
        kept = {v.arn: v for v in attached}
        resolved = []
        for arn in arns:
            ref = parse_layer_arn(arn)
            if ref is None:
                raise InvalidParameterValueError(f"Layer version {arn} does not exist.")
            if arn in kept:
                resolved.append(kept[arn])
                continue
            name = ref.name
            if ref.version is None:
                latest = self.latest(name)
                if latest is None:
                    raise InvalidParameterValueError(f"Layer {arn} has no versions.")
                resolved.append(latest)
                continue
            try:
                resolved.append(self.get(name, ref.version))
            except (ResourceNotFoundError, ValueError):
                raise InvalidParameterValueError(f"Layer version {arn} does not exist.") from None
        return tuple(resolved)
