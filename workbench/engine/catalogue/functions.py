"""The functions the engine knows, their versions and aliases, and how a caller's name resolves to the
version that runs (spec §7)."""

from __future__ import annotations

import functools
import random
import uuid
from dataclasses import dataclass, field

from workbench.engine.catalogue.versions import FunctionVersion
from workbench.engine.core.errors import (
    InvalidParameterValueError,
    ResourceConflictError,
    ResourceNotFoundError,
    ValidationError,
    check_revision_id,
)
from workbench.model.arn import (
    ALIAS_NAME,
    FUNCTION_NAME_PATTERN,
    LATEST,
    FunctionRef,
    function_arn,
    parse_function_ref,
)
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
    #: Version numbers are sequential from 1 and never reused, even after a version is deleted.
    last_version_number: int = 0

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


@functools.lru_cache(maxsize=1024)
def parse_name(name: str) -> FunctionRef:
    """A FunctionName member as the API model constrains it; ValidationError when it is none of its forms.
    (Cached: every invocation parses its function's name, and the same few names come again and again.)"""
    try:
        return parse_function_ref(name)
    except ValueError:
        raise ValidationError(f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy "
                              f"constraint: Member must satisfy regular expression pattern: {FUNCTION_NAME_PATTERN}"
                              ) from None


class FunctionRegistry:
    def __init__(self, region: str, account: str, rng: random.Random | None = None) -> None:
        self._region = region
        self._account = account
        self._entries: dict[str, FunctionEntry] = {}
        self._logical_ids: dict[str, str] = {}
        self._rng = rng or random.Random()

    def __contains__(self, name: str) -> bool:
        """Whether ``name`` (a FunctionName, logical id, `name:qualifier` or ARN) names a known function."""
        if name in self._entries or name in self._logical_ids:
            return True
        try:
            return self._lookup(parse_function_ref(name).name) is not None
        except ValueError:
            return False

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
        if entry is not None:
            return entry
        ref = parse_name(name)
        entry = self._lookup(ref.name)
        if entry is None:
            raise ResourceNotFoundError(f"Function not found: {self.arn(ref.name, ref.qualifier)}")
        return entry

    def _lookup(self, name: str) -> FunctionEntry | None:
        return self._entries.get(name) or self._entries.get(self._logical_ids.get(name, ""))

    # -- versions and aliases ---------------------------------------------------------------------------
    def publish(self, name: str, now: float, description: str = "", code_sha256: str | None = None,
                revision_id: str | None = None) -> FunctionVersion:
        """Snapshot $LATEST as the next version; when nothing changed since the last one, return that.
        ``code_sha256`` and ``revision_id`` are optimistic preconditions (spec §7)."""
        entry = self.get(name)
        latest = entry.latest
        if code_sha256 is not None and code_sha256 != latest.code.code_sha256:
            raise InvalidParameterValueError(f"CodeSHA256 ({code_sha256}) is different from current CodeSHA256 in "
                                             f"$LATEST ({latest.code.code_sha256}). Please try again with the "
                                             "CodeSHA256 in $LATEST.")
        check_revision_id(latest.revision_id, revision_id)
        newest = entry.versions.get(str(entry.last_version_number))
        if newest is not None and newest.same_content(latest):
            return newest
        entry.last_version_number += 1
        number = str(entry.last_version_number)
        published = FunctionVersion(latest.config, number, latest.code, latest.layers, 0, now,
                                    version_description=description or None)
        entry.versions[number] = published
        return published

    def _check_alias_target(self, entry: FunctionEntry, version: str,
                            weights: dict[str, float] | None) -> tuple[tuple[str, float], ...]:
        if version != LATEST and version not in entry.versions:
            raise ResourceNotFoundError(f"Function not found: {self.arn(entry.name, version)}")
        if not weights:
            return ()
        if len(weights) > 1:
            raise InvalidParameterValueError("Number of items in AdditionalVersionWeights cannot be greater than 1")
        (extra, weight), = weights.items()
        if version == LATEST or extra == LATEST:
            raise InvalidParameterValueError("$LATEST is not supported for an alias pointing to more than 1 version",
                                             untyped=True)
        if extra == version:
            raise InvalidParameterValueError(f"Invalid function version {extra}. Function version {extra} is already "
                                             "included in routing configuration.")
        if extra not in entry.versions:
            raise ResourceNotFoundError(f"Function not found: {self.arn(entry.name, extra)}")
        if not 0.0 <= float(weight) <= 1.0:
            raise InvalidParameterValueError("Weights in AdditionalVersionWeights must be between 0.0 and 1.0")
        return ((extra, float(weight)),)

    def create_alias(self, name: str, alias: str, version: str, description: str = "",
                     weights: dict[str, float] | None = None) -> Alias:
        entry = self.get(name)
        if not ALIAS_NAME.match(alias):
            raise ValidationError(f"1 validation error detected: Value '{alias}' at 'name' failed to satisfy "
                                  "constraint: Member must satisfy regular expression pattern: "
                                  "(?!^[0-9]+$)([a-zA-Z0-9-_]+)")
        if alias in entry.aliases:
            raise ResourceConflictError(f"Alias already exists: {self.arn(entry.name, alias)}")
        created = Alias(alias, version, description, self._check_alias_target(entry, version, weights),
                        str(uuid.uuid4()))
        entry.aliases[alias] = created
        return created

    def update_alias(self, name: str, alias: str, version: str | None = None, description: str | None = None,
                     weights: dict[str, float] | None = None) -> Alias:
        entry = self.get(name)
        current = self.get_alias(name, alias)
        target = version or current.function_version
        if weights is None:
            routing = current.additional_weights if version is None else ()
        else:
            routing = self._check_alias_target(entry, target, weights)
        self._check_alias_target(entry, target, None)
        updated = Alias(alias, target, current.description if description is None else description, routing,
                        str(uuid.uuid4()))
        entry.aliases[alias] = updated
        return updated

    def get_alias(self, name: str, alias: str) -> Alias:
        entry = self.get(name)
        try:
            return entry.aliases[alias]
        except KeyError:
            raise ResourceNotFoundError(f"Cannot find alias arn: {self.arn(entry.name, alias)}") from None

    def delete_alias(self, name: str, alias: str) -> None:
        entry = self.get(name)
        entry.aliases.pop(alias, None)

    def resolve(self, name: str, qualifier: str | None = None) -> Target:
        ref = parse_name(name)
        if ref.qualifier and qualifier and ref.qualifier != qualifier:
            raise InvalidParameterValueError("The derived qualifier from the function name does not match the "
                                             "specified qualifier.")
        wanted = ref.qualifier or qualifier
        entry = self._lookup(ref.name)
        if entry is None:  # Invoke names the version it looked for, $LATEST by default
            raise ResourceNotFoundError(f"Function not found: {self.arn(ref.name, wanted or LATEST)}")
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
