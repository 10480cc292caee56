"""Event source mappings (spec §6): Create/Get/Update/Delete/ListEventSourceMappings, shaped as botocore's model.

Like functions, a mapping is settled before the answer: the answer carries AWS's transitional state (Creating,
Updating, Enabling, Disabling, Deleting) and every later read the settled one (Enabled, Disabled).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from workbench.api.context import engine_of, json_response
from workbench.api.paging import page
from workbench.api.validation import Members, json_body
from workbench.engine import Engine, InvalidRequestContentError, MappingOptions, MappingView
from workbench.model.arn import DEFAULT_ACCOUNT

_UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_FUNCTION_PATTERN = (r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?"
                     r"(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?")
_ARN_PATTERN = (r"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?"
                r":(\d{12})?:(.*)")


def _options(body: Members, *, creating: bool) -> MappingOptions:
    filters = body.structure("FilterCriteria")
    patterns: tuple[str, ...] | None = None
    if filters is not None:
        entries = filters.raw("Filters")
        if entries is not None and (not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries)):
            raise InvalidRequestContentError("Could not parse request body into json: member Filters must be a list "
                                             "of {Pattern: ...}")
        patterns = tuple(str(entry.get("Pattern") or "") for entry in entries or [])
    scaling = body.structure("ScalingConfig")
    concurrency = scaling.integer("MaximumConcurrency", minimum=2, maximum=1000) if scaling is not None else None
    destination = body.structure("DestinationConfig")
    on_failure: str | None = None
    if destination is not None:
        failure = destination.structure("OnFailure")
        on_failure = (failure.string("Destination", max_length=350) or "") if failure is not None else ""
    timestamp = body.raw("StartingPositionTimestamp")
    return MappingOptions(
        enabled=body.boolean("Enabled") if body.present("Enabled") else None,
        batch_size=body.integer("BatchSize", minimum=1, maximum=10_000),
        maximum_batching_window_s=body.integer("MaximumBatchingWindowInSeconds", minimum=0, maximum=300),
        starting_position=body.string("StartingPosition", enum=("LATEST", "AT_TIMESTAMP", "TRIM_HORIZON"))
        if creating else None,
        starting_position_timestamp=float(timestamp) if creating and isinstance(timestamp, (int, float)) else None,
        parallelization_factor=body.integer("ParallelizationFactor", minimum=1, maximum=10),
        maximum_retry_attempts=body.integer("MaximumRetryAttempts", minimum=-1, maximum=10_000),
        maximum_record_age_s=body.integer("MaximumRecordAgeInSeconds", minimum=-1, maximum=604_800),
        bisect_batch_on_function_error=body.boolean("BisectBatchOnFunctionError")
        if body.present("BisectBatchOnFunctionError") else None,
        tumbling_window_s=body.integer("TumblingWindowInSeconds", minimum=0, maximum=900),
        maximum_concurrency=concurrency,
        function_response_types=_tuple(body.strings("FunctionResponseTypes", max_items=1,
                                                    enum=("ReportBatchItemFailures",))),
        filter_patterns=patterns, on_failure=on_failure)


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def mapping_document(engine: Engine, view: MappingView, state: str | None = None) -> dict[str, Any]:
    config = view.config
    document: dict[str, Any] = {"UUID": config.uuid}
    if config.kind.is_stream:
        document["StartingPosition"] = config.starting_position
        if config.starting_position_timestamp is not None:
            document["StartingPositionTimestamp"] = config.starting_position_timestamp
        document["ParallelizationFactor"] = config.parallelization_factor
    document.update({"BatchSize": config.batch_size,
                     "MaximumBatchingWindowInSeconds": config.maximum_batching_window_s,
                     "EventSourceArn": config.source_arn})
    if config.filter_patterns:
        document["FilterCriteria"] = {"Filters": [{"Pattern": pattern} for pattern in config.filter_patterns]}
    document.update({"FunctionArn": view.function_arn, "LastModified": config.last_modified,
                     "LastProcessingResult": view.last_result, "State": state or view.state.value,
                     "StateTransitionReason": "USER_INITIATED"})
    if config.kind.is_stream:
        document["DestinationConfig"] = {"OnFailure": {"Destination": config.on_failure}} if config.on_failure \
            else {"OnFailure": {}}
        document.update({"MaximumRecordAgeInSeconds": config.maximum_record_age_s,
                         "BisectBatchOnFunctionError": config.bisect_batch_on_function_error,
                         "MaximumRetryAttempts": config.maximum_retry_attempts,
                         "TumblingWindowInSeconds": config.tumbling_window_s})
    document["FunctionResponseTypes"] = list(config.function_response_types)
    if config.maximum_concurrency is not None:
        document["ScalingConfig"] = {"MaximumConcurrency": config.maximum_concurrency}
    document["EventSourceMappingArn"] = (f"arn:aws:lambda:{engine.settings.region}:"
                                         f"{engine.settings.account_id or DEFAULT_ACCOUNT}:event-source-mapping:"
                                         f"{config.uuid}")
    return document


def _uuid(request: web.Request) -> str:
    members = Members({"UUID": request.match_info["uuid"]})
    value = members.string("UUID", min_length=36, max_length=36)
    members.check()
    assert value is not None
    return value


async def create_mapping(request: web.Request) -> web.Response:
    engine = engine_of(request)
    body = Members(await json_body(request))
    function = body.string("FunctionName", required=True, min_length=1, max_length=256, pattern=_FUNCTION_PATTERN)
    source = body.string("EventSourceArn", max_length=10_000, pattern=_ARN_PATTERN)
    options = _options(body, creating=True)
    body.check()
    assert function is not None
    view = await engine.create_event_source_mapping(function, source, options)
    return json_response(mapping_document(engine, view, "Creating"), status=202)


async def get_mapping(request: web.Request) -> web.Response:
    engine = engine_of(request)
    return json_response(mapping_document(engine, engine.get_event_source_mapping(_uuid(request))))


async def update_mapping(request: web.Request) -> web.Response:
    engine = engine_of(request)
    mapping_id = _uuid(request)
    body = Members(await json_body(request))
    function = body.string("FunctionName", min_length=1, max_length=256, pattern=_FUNCTION_PATTERN)
    options = _options(body, creating=False)
    body.check()
    before = engine.get_event_source_mapping(mapping_id)
    view = await engine.update_event_source_mapping(mapping_id, function, options)
    state = "Updating"
    if view.config.enabled != before.config.enabled:
        state = "Enabling" if view.config.enabled else "Disabling"
    return json_response(mapping_document(engine, view, state), status=202)


async def delete_mapping(request: web.Request) -> web.Response:
    engine = engine_of(request)
    view = await engine.delete_event_source_mapping(_uuid(request))
    return json_response(mapping_document(engine, view, "Deleting"), status=202)


async def list_mappings(request: web.Request) -> web.Response:
    engine = engine_of(request)
    query = Members(request.query)
    function = query.string("FunctionName", min_length=1, max_length=256, pattern=_FUNCTION_PATTERN)
    source = query.string("EventSourceArn", max_length=10_000, pattern=_ARN_PATTERN)
    views = engine.list_event_source_mappings(function, source)
    shown, next_marker = page(views, lambda view: view.config.uuid, query, default_size=100)
    document: dict[str, Any] = {"EventSourceMappings": [mapping_document(engine, view) for view in shown]}
    if next_marker:
        document["NextMarker"] = next_marker
    return json_response(document)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/2015-03-31/event-source-mappings", create_mapping, name="CreateEventSourceMapping")
    router.add_get("/2015-03-31/event-source-mappings", list_mappings, name="ListEventSourceMappings",
                   allow_head=False)
    one = "/2015-03-31/event-source-mappings/{uuid}"
    router.add_get(one, get_mapping, name="GetEventSourceMapping", allow_head=False)
    router.add_put(one, update_mapping, name="UpdateEventSourceMapping")
    router.add_delete(one, delete_mapping, name="DeleteEventSourceMapping")
