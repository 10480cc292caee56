"""Asynchronous invocation settings (spec §5): Put/Update/Get/Delete/ListFunctionEventInvokeConfigs, per
function, version or alias (the Qualifier query member, or FunctionName's own qualifier)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from workbench.api.context import empty_response, engine_of, function_name, json_response
from workbench.api.paging import page
from workbench.api.validation import Members, json_body
from workbench.engine import KEEP, EventInvokeConfig

_DESTINATION_PATTERN = (r"$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:"
                        r"((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)")


def _qualifier(request: web.Request) -> str | None:
    query = Members(request.query)
    qualifier = query.string("Qualifier", min_length=1, max_length=128, pattern=r"(|[a-zA-Z0-9$_-]+)")
    query.check()
    return qualifier


def shape(config: EventInvokeConfig, arn: str) -> dict[str, Any]:
    """FunctionEventInvokeConfig (LastModified is a Date: epoch seconds in rest-json)."""
    document: dict[str, Any] = {"LastModified": config.last_modified, "FunctionArn": arn}
    if config.maximum_retry_attempts is not None:
        document["MaximumRetryAttempts"] = config.maximum_retry_attempts
    if config.maximum_event_age_s is not None:
        document["MaximumEventAgeInSeconds"] = config.maximum_event_age_s
    destinations: dict[str, Any] = {"OnSuccess": {}, "OnFailure": {}}
    if config.on_success:
        destinations["OnSuccess"] = {"Destination": config.on_success}
    if config.on_failure:
        destinations["OnFailure"] = {"Destination": config.on_failure}
    document["DestinationConfig"] = destinations
    return document


async def _members(request: web.Request) -> dict[str, Any]:
    """The body's members as `EventInvokeControl` arguments; members left out are KEEP."""
    body = Members(await json_body(request))
    values: dict[str, Any] = {
        "maximum_retry_attempts": body.integer("MaximumRetryAttempts", minimum=0, maximum=2),
        "maximum_event_age_s": body.integer("MaximumEventAgeInSeconds", minimum=60, maximum=21600),
    }
    destinations = body.structure("DestinationConfig")
    for member, key in (("OnSuccess", "on_success"), ("OnFailure", "on_failure")):
        found = destinations.structure(member) if destinations is not None else None
        if found is not None:
            values[key] = found.string("Destination", max_length=350, pattern=_DESTINATION_PATTERN) or ""
    body.check()  # nested structures share the body's list of constraint failures
    present = {"maximum_retry_attempts": "MaximumRetryAttempts", "maximum_event_age_s": "MaximumEventAgeInSeconds"}
    return {key: (value if key not in present or body.present(present[key]) else KEEP)
            for key, value in values.items()}


def _arn(request: web.Request, config: EventInvokeConfig) -> str:
    return engine_of(request).function_arn(config.function, config.qualifier)


async def put_config(request: web.Request) -> web.Response:
    engine = engine_of(request)
    name, qualifier = function_name(request), _qualifier(request)
    members = {key: (None if value is KEEP else value) for key, value in (await _members(request)).items()}
    config = await engine.put_function_event_invoke_config(name, qualifier, **members)
    return json_response(shape(config, _arn(request, config)))


async def update_config(request: web.Request) -> web.Response:
    engine = engine_of(request)
    name, qualifier = function_name(request), _qualifier(request)
    config = await engine.update_function_event_invoke_config(name, qualifier, **await _members(request))
    return json_response(shape(config, _arn(request, config)))


async def get_config(request: web.Request) -> web.Response:
    config = engine_of(request).get_function_event_invoke_config(function_name(request), _qualifier(request))
    return json_response(shape(config, _arn(request, config)))


async def delete_config(request: web.Request) -> web.Response:
    await engine_of(request).delete_function_event_invoke_config(function_name(request), _qualifier(request))
    return empty_response()


async def list_configs(request: web.Request) -> web.Response:
    configs = engine_of(request).list_function_event_invoke_configs(function_name(request))
    shown, next_marker = page(configs, lambda config: config.qualifier, Members(request.query), max_size=50)
    document: dict[str, Any] = {"FunctionEventInvokeConfigs": [shape(config, _arn(request, config))
                                                               for config in shown]}
    if next_marker:
        document["NextMarker"] = next_marker
    return json_response(document)


def add_routes(router: web.UrlDispatcher) -> None:
    path = "/2019-09-25/functions/{function}/event-invoke-config"
    router.add_put(path, put_config, name="PutFunctionEventInvokeConfig")
    router.add_post(path, update_config, name="UpdateFunctionEventInvokeConfig")
    router.add_get(path, get_config, name="GetFunctionEventInvokeConfig", allow_head=False)
    router.add_delete(path, delete_config, name="DeleteFunctionEventInvokeConfig")
    router.add_get(path + "/list", list_configs, name="ListFunctionEventInvokeConfigs", allow_head=False)
