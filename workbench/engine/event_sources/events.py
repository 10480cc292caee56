"""The engine events of event source mappings (faces subscribe to them through the engine's bus)."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.engine.observation.events import EngineEvent


@dataclass(frozen=True, slots=True)
class MappingBatchProcessed(EngineEvent):
    """One batch's invocation finished (``result`` is "OK" or the PROBLEM text; ``failed`` records retried)."""

    uuid: str
    function: str
    source_arn: str
    shard: str | None
    size: int
    result: str
    failed: int
    #: The invocation that carried the batch ("" when none ran), so a face can show the batch with its trace.
    request_id: str = ""


@dataclass(frozen=True, slots=True)
class MappingRecordsDiscarded(EngineEvent):
    """Stream records given up on (retries exhausted or too old), and where their failure record went."""

    uuid: str
    shard: str
    count: int
    condition: str          # RetryAttemptsExhausted | RecordAgeExceeded
    destination: str | None


@dataclass(frozen=True, slots=True)
class MappingStateChanged(EngineEvent):
    uuid: str
    state: str
