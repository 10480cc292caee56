"""What an event source mapping is: its settings (as the API and the template give them) and its source kind.

`MappingConfig` is immutable; an update makes a new one. It is stored as JSON (`to_json`/`from_json`), so adding
a setting later needs no migration: a stored mapping without it reads the default.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class SourceKind(StrEnum):
    SQS = "sqs"
    KINESIS = "kinesis"
    DYNAMODB = "dynamodb"

    @property
    def is_stream(self) -> bool:
        return self is not SourceKind.SQS

    @property
    def service_name(self) -> str:
        """How AWS names the service in its conflict messages."""
        return {"sqs": "SQS", "kinesis": "Kinesis", "dynamodb": "DynamoDB"}[self.value]


def source_kind(arn: str) -> SourceKind | None:
    """The kind of source an ARN names; None for a source the workbench does not poll."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    if parts[2] == "sqs":
        return SourceKind.SQS
    if parts[2] == "kinesis" and parts[5].startswith("stream/"):
        return SourceKind.KINESIS
    if parts[2] == "dynamodb" and "/stream/" in parts[5]:
        return SourceKind.DYNAMODB
    return None


def is_fifo(arn: str) -> bool:
    return arn.endswith(".fifo")


class State(StrEnum):
    CREATING = "Creating"
    ENABLING = "Enabling"
    ENABLED = "Enabled"
    DISABLING = "Disabling"
    DISABLED = "Disabled"
    UPDATING = "Updating"
    DELETING = "Deleting"


@dataclass(frozen=True, slots=True)
class MappingOptions:
    """The settings a create or an update names; None (or unset) leaves a setting as it is (or its default)."""

    enabled: bool | None = None
    batch_size: int | None = None
    maximum_batching_window_s: int | None = None
    starting_position: str | None = None
    starting_position_timestamp: float | None = None
    parallelization_factor: int | None = None
    maximum_retry_attempts: int | None = None
    maximum_record_age_s: int | None = None
    bisect_batch_on_function_error: bool | None = None
    tumbling_window_s: int | None = None
    maximum_concurrency: int | None = None
    #: An empty tuple clears them; None leaves them.
    function_response_types: tuple[str, ...] | None = None
    filter_patterns: tuple[str, ...] | None = None
    #: "" removes the destination; None leaves it.
    on_failure: str | None = None

    def given(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)
                if getattr(self, field.name) is not None}


@dataclass(frozen=True, slots=True)
class MappingConfig:
    uuid: str
    function: str                 # the function's name
    qualifier: str | None         # the version or alias the mapping invokes, None for the unqualified function
    source_arn: str
    kind: SourceKind
    enabled: bool = True
    batch_size: int = 10
    maximum_batching_window_s: int = 0
    starting_position: str | None = None
    starting_position_timestamp: float | None = None
    parallelization_factor: int = 1
    maximum_retry_attempts: int = -1
    maximum_record_age_s: int = -1
    bisect_batch_on_function_error: bool = False
    tumbling_window_s: int = 0
    maximum_concurrency: int | None = None
    function_response_types: tuple[str, ...] = ()
    filter_patterns: tuple[str, ...] = ()
    on_failure: str | None = None
    last_modified: float = 0.0
    #: "api" or "template": template mappings are made again from the template at every start.
    origin: str = "api"
    #: The template's logical id, for template mappings.
    logical_id: str | None = None

    @property
    def reports_item_failures(self) -> bool:
        return "ReportBatchItemFailures" in self.function_response_types

    @property
    def fifo(self) -> bool:
        return self.kind is SourceKind.SQS and is_fifo(self.source_arn)

    def to_json(self) -> dict[str, Any]:
        document = dataclasses.asdict(self)
        document["kind"] = self.kind.value
        return document

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> MappingConfig:
        known = {field.name for field in dataclasses.fields(cls)}
        values = {key: value for key, value in document.items() if key in known}
        values["kind"] = SourceKind(values["kind"])
        for name in ("function_response_types", "filter_patterns"):
            values[name] = tuple(values.get(name) or ())
        return cls(**values)


@dataclass(frozen=True, slots=True)
class PollerSettings:
    """Polling rhythm and retry pacing (AWS's where it says; configurable so tests and classes can change them)."""

    #: SQS long-poll wait of an idle poller (whole seconds, 0-20). 0 polls without waiting in SQS and paces the
    #: polls on the engine's clock instead (`sqs_short_poll_s`): what tests in virtual time use.
    sqs_wait_s: int = 2
    #: With ``sqs_wait_s`` 0: the pause (on the engine's clock) after an empty receive, and between the receives
    #: that fill a batching window.
    sqs_short_poll_s: float = 0.2
    sqs_initial_pollers: int = 5
    sqs_min_pollers: int = 2
    sqs_max_pollers: int = 1000
    #: How many pollers may be added per minute while the backlog grows (AWS: up to 300 a minute).
    sqs_scale_up_per_minute: int = 300
    #: How often SQS pollers are scaled with the backlog.
    sqs_scale_interval_s: float = 1.0
    #: GetRecords rhythm per shard when there is nothing new: Kinesis about 1/s, DynamoDB about 4/s.
    kinesis_poll_interval_s: float = 1.0
    dynamodb_poll_interval_s: float = 0.25
    #: Backoff between retries of a failed stream batch, and of throttled invokes.
    retry_delay_s: float = 1.0
    retry_delay_max_s: float = 30.0
    #: How often shards are listed again (new shards after resharding).
    shard_refresh_s: float = 30.0
