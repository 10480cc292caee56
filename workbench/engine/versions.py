"""What an execution environment runs: one version of one function, with its code, frozen in time."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workbench.engine.code import CodeSnapshot
from workbench.model.function import FunctionConfig
from workbench.model.runtimes import RuntimeInfo, lookup_runtime


@dataclass(frozen=True, slots=True)
class FunctionVersion:
    config: FunctionConfig
    version: str                      # "$LATEST" or "1", "2", ...
    code: CodeSnapshot
    layer_dirs: tuple[Path, ...] = ()
    #: $LATEST changes in place; environments remember the revision they started from and are retired
    #: when it is no longer current. Published versions never change.
    revision: int = 0
    runtime: RuntimeInfo = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "runtime", lookup_runtime(self.config.runtime))

    @property
    def name(self) -> str:
        return self.config.name
