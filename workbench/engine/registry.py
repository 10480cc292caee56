"""The functions the engine knows, their versions and aliases, and how a caller's name resolves to the
version that runs (spec §7)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from workbench.engine.errors import InvalidParameterValueError, ResourceNotFoundError
from workbench.engine.versions import FunctionVersion
from workbench.model.arn import LATEST, function_arn, parse_function_ref
from workbench.model.function import FunctionConfig


@dataclass(frozen=True, slots=True)
class Alias:
    name: str
    function_version: str
    description: str = ""
    #: At most one entry: {version: weight}; the primary version gets 1 - weight (spec §7).
    additional_weights: tuple[tuple[str, float], ...] = ()
    revision_id: str = ""


@dataclass(slots=True)
class FunctionEntry:
    latest: FunctionVersion
    versions: dict[str, FunctionVersion] = field(default_factory=dict)
    aliases: dict[str, Alias] = field(default_factory=dict)
    source: str = "template"   # "template" or "api"

    @property
    def config(self) -> FunctionConfig:
        return self.latest.config

    @property
    def name(self) -> str:
        return self.latest.name


@dataclass(frozen=True, slots=True)
class Target:
    """What a request resolved to: the version that runs and the ARN the caller used."""

    version: FunctionVersion
    invoked_arn: str
    qualifier: str   # "$LATEST", "3" or an alias name: what limits and provisioned concurrency key on


class FunctionRegistry:
    def __init__(self, region: str, account: str, rng: random.Random | None = None) -> None:
        self._region = region
        self._account = account
        self._entries: dict[str, FunctionEntry] = {}
        self._logical_ids: dict[str, str] = {}
        self._rng = rng or random.Random()

    def __contains__(self, name: str) -> bool:
        return name in self._entries or name in self._logical_ids

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._entries.values()))

    def add(self, entry: FunctionEntry) -> None:
        self._entries[entry.name] = entry
        if entry.config.logical_id:
            self._logical_ids[entry.config.logical_id] = entry.name

    def remove(self, name: str) -> FunctionEntry:
        entry = self.get(name)
        del self._entries[entry.name]
        if entry.config.logical_id:
            self._logical_ids.pop(entry.config.logical_id, None)
        return entry

    def arn(self, name: str, qualifier: str | None = None) -> str:
        return function_arn(name, qualifier, region=self._region, account=self._account)

    def get(self, name: str) -> FunctionEntry:
        """By FunctionName, logical id, or any form `parse_function_ref` accepts (the qualifier is ignored)."""
        entry = self._entries.get(name)
        if entry is None:
            try:
                ref = parse_function_ref(name)
            except ValueError:
                raise InvalidParameterValueError(f"1 validation error detected: Value '{name}' at 'functionName' "
                                                 "failed to satisfy constraint") from None
            entry = self._entries.get(ref.name) or self._entries.get(self._logical_ids.get(ref.name, ""))
        if entry is None:
            entry = self._entries.get(self._logical_ids.get(name, ""))
        if entry is None:
            raise ResourceNotFoundError(f"Function not found: {self.arn(name)}")
        return entry

    def resolve(self, name: str, qualifier: str | None = None) -> Target:
        try:
            ref = parse_function_ref(name)
        except ValueError:
            raise InvalidParameterValueError(f"1 validation error detected: Value '{name}' at 'functionName' "
                                             "failed to satisfy constraint") from None
        if ref.qualifier and qualifier and ref.qualifier != qualifier:
            raise InvalidParameterValueError("The derived qualifier from the function name does not match the "
                                             "specified qualifier.")
        entry = self.get(name)
        wanted = ref.qualifier or qualifier
        if wanted is None:
            return Target(entry.latest, self.arn(entry.name), LATEST)
        if wanted == LATEST:
            return Target(entry.latest, self.arn(entry.name, LATEST), LATEST)
        invoked = self.arn(entry.name, wanted)
        if wanted in entry.versions:
            return Target(entry.versions[wanted], invoked, wanted)
        alias = entry.aliases.get(wanted)
        if alias is None:
            raise ResourceNotFoundError(f"Function not found: {invoked}")
        chosen = alias.function_version
        for version, weight in alias.additional_weights:
            if self._rng.random() < weight:
                chosen = version
        runs = entry.latest if chosen == LATEST else entry.versions.get(chosen)
        if runs is None:
            raise ResourceNotFoundError(f"Function not found: {self.arn(entry.name, chosen)}")
        return Target(runs, invoked, wanted)
