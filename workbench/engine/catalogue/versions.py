"""What an execution environment runs: one version of one function, with its code, frozen in time."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from workbench.engine.catalogue.code_store import CodeSnapshot
from workbench.engine.catalogue.layers import LayerVersion
from workbench.model.function import FunctionConfig
from workbench.model.runtimes import RuntimeInfo, lookup_runtime


@dataclass(frozen=True, slots=True)
class FunctionVersion:
    config: FunctionConfig
    version: str                       # "$LATEST" or "1", "2", ...
    code: CodeSnapshot
    layers: tuple[LayerVersion, ...] = ()
    #: $LATEST changes in place; environments remember the revision they started from and are retired
    #: when it is no longer current. Published versions never change.
    revision: int = 0
    last_modified: float = 0.0
    revision_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    #: A published version's own description (PublishVersion's Description); None: the configuration's.
    version_description: str | None = None
    runtime: RuntimeInfo = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "runtime", lookup_runtime(self.config.runtime))

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def description(self) -> str:
        return self.config.description if self.version_description is None else self.version_description

    @property
    def layer_dirs(self) -> tuple[Path, ...]:
        return tuple(layer.content.path for layer in self.layers)

    def same_content(self, other: FunctionVersion) -> bool:
        """Whether publishing ``self`` after ``other`` would change nothing (spec §7)."""
        return (self.config == other.config and self.code.digest == other.code.digest
                and tuple(v.arn for v in self.layers) == tuple(v.arn for v in other.layers))
