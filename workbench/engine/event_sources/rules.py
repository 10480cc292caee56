"""Lambda's rules for an event source mapping's settings, with the InvalidParameterValueException messages AWS
answers with. The API model's own constraints (ranges, enums) are checked by the API before this; the rules
here are the service's, so they hold for template mappings too.

Where the messages come from: AWS's answers quoted in public bug reports and CloudFormation events ("Maximum
batch window in seconds must be greater than 0 if maximum batch size is greater than 10", "Batching window is not
supported for FIFO queues", "Maximum batch size must be between 1 and 10 inclusive" from when every SQS queue was
limited to 10), and LocalStack's validation, which is checked against AWS by snapshot tests ("Stream not found: ...",
"Unsupported ... parameter for given event source mapping type.", "Unsupported starting position for arn type:
...", the null startingPosition message). AWS's texts for the two StartingPositionTimestamp rules were not found;
those two are ours.

One deliberate difference from spec §6's wording (and botocore's documentation): the "BatchSize over 10 needs a
window" rule is applied to SQS only, as AWS does. A Kinesis or DynamoDB mapping has BatchSize 100 and no window by
default, and AWS's own tutorials create stream mappings with `--batch-size 100` and no window.
"""

from __future__ import annotations

import dataclasses

from workbench.engine.core.errors import InvalidParameterValueError
from workbench.engine.event_sources.config import MappingConfig, MappingOptions, SourceKind
from workbench.engine.event_sources.filters import compile_patterns

DEFAULT_BATCH_SIZE = {SourceKind.SQS: 10, SourceKind.KINESIS: 100, SourceKind.DYNAMODB: 100}
MAX_BATCH_SIZE = 10_000
FIFO_MAX_BATCH_SIZE = 10
STARTING_POSITIONS = {SourceKind.KINESIS: ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"),
                      SourceKind.DYNAMODB: ("TRIM_HORIZON", "LATEST")}
#: Settings that only streams have, by the API member AWS names in its message.
_STREAM_ONLY = {
    "parallelization_factor": "ParallelizationFactor", "maximum_retry_attempts": "MaximumRetryAttempts",
    "maximum_record_age_s": "MaximumRecordAgeInSeconds", "bisect_batch_on_function_error":
    "BisectBatchOnFunctionError", "tumbling_window_s": "TumblingWindowInSeconds", "on_failure": "DestinationConfig",
}
UNRECOGNISED_SOURCE = "Unrecognized event source, must be kinesis, dynamodb stream or sqs."


def _unsupported(member: str) -> InvalidParameterValueError:
    return InvalidParameterValueError(f"Unsupported {member} parameter for given event source mapping type.")


def settle(base: MappingConfig, options: MappingOptions, now: float) -> MappingConfig:
    """``base`` (a new mapping with its defaults, or the current one) with ``options`` applied and checked."""
    given = options.given()
    kind = base.kind
    if kind is SourceKind.SQS:
        for name, member in _STREAM_ONLY.items():
            if name in given and not (name == "on_failure" and given[name] == ""):
                raise _unsupported(member)
        if "starting_position" in given:
            raise InvalidParameterValueError(f"Unsupported starting position for arn type: {base.source_arn}")
    elif "maximum_concurrency" in given:
        raise _unsupported("ScalingConfig")
    if "on_failure" in given:
        given["on_failure"] = given["on_failure"] or None
        destination = given["on_failure"]
        if destination is not None and destination.split(":")[2:3] not in (["sqs"], ["sns"]):
            raise InvalidParameterValueError("The provided destination config DestinationConfig(onSuccess=null, "
                                             f"onFailure=OnFailure(destination={destination})) is invalid.")
    if "filter_patterns" in given:
        compile_patterns(given["filter_patterns"])
    config = dataclasses.replace(base, **given, last_modified=now)
    _check_batching(config)
    if kind.is_stream:
        _check_stream(config, now)
    return config


def _check_batching(config: MappingConfig) -> None:
    if config.batch_size > MAX_BATCH_SIZE or config.batch_size < 1:
        raise InvalidParameterValueError(f"BatchSize must be between 1 and {MAX_BATCH_SIZE}.")
    if config.kind is not SourceKind.SQS:
        return
    if config.fifo:
        if config.batch_size > FIFO_MAX_BATCH_SIZE:
            raise InvalidParameterValueError(f"Maximum batch size must be between 1 and {FIFO_MAX_BATCH_SIZE} "
                                             "inclusive")
        if config.maximum_batching_window_s > 0:
            raise InvalidParameterValueError("Batching window is not supported for FIFO queues")
    elif config.batch_size > 10 and config.maximum_batching_window_s < 1:
        raise InvalidParameterValueError("Maximum batch window in seconds must be greater than 0 if maximum batch "
                                         "size is greater than 10")


def _check_stream(config: MappingConfig, now: float) -> None:
    position = config.starting_position
    if position is None:
        raise InvalidParameterValueError("1 validation error detected: Value null at 'startingPosition' failed to "
                                         "satisfy constraint: Member must not be null.")
    if position not in STARTING_POSITIONS[config.kind]:
        raise InvalidParameterValueError(f"Unsupported starting position for arn type: {config.source_arn}")
    if position == "AT_TIMESTAMP" and config.starting_position_timestamp is None:
        raise InvalidParameterValueError("StartingPositionTimestamp must be provided when StartingPosition is "
                                         "AT_TIMESTAMP.")
    if position == "AT_TIMESTAMP" and (config.starting_position_timestamp or 0) > now:
        raise InvalidParameterValueError("StartingPositionTimestamp cannot be in the future.")
