"""Versions and aliases (spec §7): PublishVersion, ListVersionsByFunction, Create/Get/Update/Delete/ListAliases."""

from __future__ import annotations

from aiohttp import web

from workbench.api.context import empty_response, engine_of, function_name, json_response
from workbench.api.functions import render
from workbench.api.paging import number_key, page
from workbench.api.shapes import Phase, alias_configuration, function_configuration
from workbench.api.validation import Members, json_body
from workbench.engine import Alias, Engine, FunctionVersion, InvalidRequestContentError, parse_name
from workbench.model.arn import LATEST

_VERSION_PATTERN = r"(\$LATEST|[0-9]+)"
_ALIAS_PATTERN = r"(?!^[0-9]+$)([a-zA-Z0-9-_]+)"
_WEIGHTS_VALUE_RULE = ("Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
                       "Member must have value greater than or equal to 0.0, Member must not be null]")
_WEIGHTS_KEY_RULE = ("Map keys must satisfy constraint: [Member must have length less than or equal to 1024, "
                     "Member must have length greater than or equal to 1, Member must satisfy regular expression "
                     "pattern: [0-9]+]")


async def publish_version(request: web.Request) -> web.Response:
    engine = engine_of(request)
    body = Members(await json_body(request))
    code_sha256 = body.string("CodeSha256")
    description = body.string("Description", max_length=256)
    revision_id = body.string("RevisionId")
    body.check()
    published = await engine.publish_version(function_name(request), description or "", code_sha256=code_sha256,
                                             revision_id=revision_id)
    arn = engine.function_arn(published.name, published.version)
    return json_response(await render(engine, published, arn, Phase.CURRENT), status=201)


async def list_versions(request: web.Request) -> web.Response:
    engine = engine_of(request)
    versions = engine.list_versions(parse_name(function_name(request)).name)

    def sort_key(version: FunctionVersion) -> str:
        return number_key(0 if version.version == LATEST else int(version.version))

    shown, next_marker = page(versions, sort_key, Members(request.query))
    document: dict[str, object] = {"Versions": [
        function_configuration(v, engine.function_arn(v.name, v.version), Phase.LISTED) for v in shown]}
    if next_marker:
        document["NextMarker"] = next_marker
    return json_response(document)


def _routing_weights(body: Members) -> dict[str, float] | None:
    """RoutingConfig.AdditionalVersionWeights, checked as the model constrains the map."""
    routing = body.structure("RoutingConfig")
    weights = routing.mapping("AdditionalVersionWeights") if routing is not None else None
    if weights is None or routing is None:
        return None
    if any(isinstance(value, bool) or not isinstance(value, int | float) for value in weights.values()):
        raise InvalidRequestContentError("Could not parse request body into json: the weights of "
                                         "AdditionalVersionWeights must be numbers")
    numbers = {key: _weight(value) for key, value in weights.items()}
    if not all(key.isascii() and key.isdigit() for key in numbers):
        routing.fail("AdditionalVersionWeights", numbers, _WEIGHTS_KEY_RULE)
    elif not all(0.0 <= value <= 1.0 for value in numbers.values()):
        routing.fail("AdditionalVersionWeights", numbers, _WEIGHTS_VALUE_RULE)
    return numbers


def _weight(value: int | float) -> float:
    """A weight as a float; an integer too large for one (a 400-digit weight) is out of range all the same."""
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def _alias_response(engine: Engine, function: str, alias: Alias, status: int = 200) -> web.Response:
    arn = engine.function_arn(engine.function_entry(function).name, alias.name)
    return json_response(alias_configuration(alias, arn), status=status)


async def create_alias(request: web.Request) -> web.Response:
    engine = engine_of(request)
    body = Members(await json_body(request))
    name = body.string("Name", required=True, min_length=1, max_length=128, pattern=_ALIAS_PATTERN)
    version = body.string("FunctionVersion", required=True, min_length=1, max_length=1024, pattern=_VERSION_PATTERN)
    description = body.string("Description", max_length=256)
    weights = _routing_weights(body)
    body.check()
    assert name is not None and version is not None
    function = function_name(request)
    alias = await engine.create_alias(function, name, version, description or "", weights)
    return _alias_response(engine, function, alias, status=201)


async def get_alias(request: web.Request) -> web.Response:
    engine = engine_of(request)
    function = function_name(request)
    return _alias_response(engine, function, engine.get_alias(function, request.match_info["alias"]))


async def update_alias(request: web.Request) -> web.Response:
    engine = engine_of(request)
    body = Members(await json_body(request))
    version = body.string("FunctionVersion", min_length=1, max_length=1024, pattern=_VERSION_PATTERN)
    description = body.string("Description", max_length=256)
    revision_id = body.string("RevisionId")
    weights = _routing_weights(body)
    body.check()
    function = function_name(request)
    alias = await engine.update_alias(function, request.match_info["alias"], version, description, weights,
                                      revision_id)
    return _alias_response(engine, function, alias)


async def delete_alias(request: web.Request) -> web.Response:
    engine = engine_of(request)
    await engine.delete_alias(function_name(request), request.match_info["alias"])
    return empty_response()


async def list_aliases(request: web.Request) -> web.Response:
    engine = engine_of(request)
    function = function_name(request)
    query = Members(request.query)
    version = query.string("FunctionVersion", min_length=1, max_length=1024, pattern=_VERSION_PATTERN)
    name = engine.function_entry(function).name
    shown, next_marker = page(engine.list_aliases(function, version), lambda alias: alias.name, query)
    document: dict[str, object] = {
        "Aliases": [alias_configuration(alias, engine.function_arn(name, alias.name)) for alias in shown]}
    if next_marker:
        document["NextMarker"] = next_marker
    return json_response(document)


def add_routes(router: web.UrlDispatcher) -> None:
    base = "/2015-03-31/functions/{function}"
    router.add_post(f"{base}/versions", publish_version, name="PublishVersion")
    router.add_get(f"{base}/versions", list_versions, name="ListVersionsByFunction", allow_head=False)
    router.add_post(f"{base}/aliases", create_alias, name="CreateAlias")
    router.add_get(f"{base}/aliases", list_aliases, name="ListAliases", allow_head=False)
    router.add_get(f"{base}/aliases/{{alias}}", get_alias, name="GetAlias", allow_head=False)
    router.add_put(f"{base}/aliases/{{alias}}", update_alias, name="UpdateAlias")
    router.add_delete(f"{base}/aliases/{{alias}}", delete_alias, name="DeleteAlias")
