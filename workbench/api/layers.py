"""Layers (spec §8): PublishLayerVersion, GetLayerVersion(ByArn), ListLayers, ListLayerVersions,
DeleteLayerVersion; and the download behind Content.Location."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import quote

from aiohttp import web

from workbench.api.configuration import ARCHITECTURES, read_package
from workbench.api.context import empty_response, engine_of, json_response
from workbench.api.guard import presigned_url
from workbench.api.paging import number_key, page
from workbench.api.shapes import layer_version, layer_version_item
from workbench.api.validation import Members, json_body
from workbench.engine import Engine, LayerVersion, ValidationError
from workbench.model.runtimes import RUNTIMES

_LAYER_NAME = r"(arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:)?" \
              r"(?P<name>[a-zA-Z0-9-_]{1,140})"
_LAYER_VERSION_ARN = r"arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:" \
                     r"(?P<name>[a-zA-Z0-9-_]+):(?P<version>[0-9]+)"
_RUNTIMES = tuple(RUNTIMES)


def _constraint(member: str, value: str, rule: str) -> ValidationError:
    return ValidationError(f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
                           f"{rule}")


def layer_name(request: web.Request) -> str:
    """The LayerName path member: a name or a layer ARN (without version)."""
    value = request.match_info["layer"]
    match = re.fullmatch(_LAYER_NAME, value)
    if match is None:
        raise _constraint("layerName", value, f"Member must satisfy regular expression pattern: {_LAYER_NAME}")
    return match["name"]


def version_number(request: web.Request) -> int:
    value = request.match_info["version"]
    if not re.fullmatch(r"[0-9]{1,18}", value):  # ASCII digits of a long, as the model's VersionNumber
        raise _constraint("versionNumber", value, "Member must be a whole number")
    return int(value)


def _location(request: web.Request, layer: LayerVersion) -> str:
    return presigned_url(request, f"/_workbench/layers/{quote(layer.name)}/versions/{layer.version}/package")


async def publish_layer_version(request: web.Request) -> web.Response:
    engine = engine_of(request)
    name = layer_name(request)
    body = Members(await json_body(request))
    content = body.structure("Content", required=True)
    description = body.string("Description", max_length=256)
    runtimes = body.strings("CompatibleRuntimes", max_items=15, enum=_RUNTIMES)
    architectures = body.strings("CompatibleArchitectures", max_items=2, enum=ARCHITECTURES)
    license_info = body.string("LicenseInfo", max_length=512)
    body.check()
    package = await read_package(content)
    published = await engine.publish_layer_version(
        name, package, description=description or "", compatible_runtimes=tuple(runtimes or ()),
        compatible_architectures=tuple(architectures or ()), license_info=license_info)
    return json_response(layer_version(published, _location(request, published)), status=201)


async def get_layer_version(request: web.Request) -> web.Response:
    found = engine_of(request).get_layer_version(layer_name(request), version_number(request))
    return json_response(layer_version(found, _location(request, found)))


def _get_by_arn(request: web.Request, engine: Engine) -> web.Response:
    arn = request.query.get("Arn", "")
    match = re.fullmatch(_LAYER_VERSION_ARN, arn)
    if match is None:
        raise _constraint("arn", arn, f"Member must satisfy regular expression pattern: {_LAYER_VERSION_ARN}")
    found = engine.get_layer_version(match["name"], int(match["version"]))
    return json_response(layer_version(found, _location(request, found)))


async def list_layers(request: web.Request) -> web.Response:
    """ListLayers; with ?find=LayerVersion the same path is GetLayerVersionByArn."""
    engine = engine_of(request)
    if request.query.get("find") == "LayerVersion":
        return _get_by_arn(request, engine)
    query = Members(request.query)
    runtime = query.string("CompatibleRuntime", enum=_RUNTIMES)
    architecture = query.string("CompatibleArchitecture", enum=ARCHITECTURES)
    shown, next_marker = page(engine.list_layers(runtime, architecture), lambda layer: layer.name, query,
                              max_size=50)
    document: dict[str, object] = {"Layers": [
        {"LayerName": layer.name, "LayerArn": layer.layer_arn, "LatestMatchingVersion": layer_version_item(layer)}
        for layer in shown]}
    if next_marker:
        document["NextMarker"] = next_marker
    return json_response(document)


async def list_layer_versions(request: web.Request) -> web.Response:
    engine = engine_of(request)
    name = layer_name(request)
    query = Members(request.query)
    runtime = query.string("CompatibleRuntime", enum=_RUNTIMES)
    architecture = query.string("CompatibleArchitecture", enum=ARCHITECTURES)
    versions = engine.list_layer_versions(name, runtime, architecture)
    # newest first, as Lambda lists them
    shown, next_marker = page(versions, lambda layer: number_key(10**11 - layer.version), query, max_size=50)
    document: dict[str, object] = {"LayerVersions": [layer_version_item(layer) for layer in shown]}
    if next_marker:
        document["NextMarker"] = next_marker
    return json_response(document)


async def delete_layer_version(request: web.Request) -> web.Response:
    await engine_of(request).delete_layer_version(layer_name(request), version_number(request))
    return empty_response()


async def download_layer(request: web.Request) -> web.Response:
    """Content.Location: a layer version's archive."""
    found = engine_of(request).get_layer_version(layer_name(request), version_number(request))
    data = await asyncio.to_thread(found.content.package.read_bytes)
    return web.Response(body=data, content_type="application/zip")


def add_routes(router: web.UrlDispatcher) -> None:
    base = "/2018-10-31/layers"
    router.add_get(base, list_layers, name="ListLayers", allow_head=False)
    router.add_post(f"{base}/{{layer}}/versions", publish_layer_version, name="PublishLayerVersion")
    router.add_get(f"{base}/{{layer}}/versions", list_layer_versions, name="ListLayerVersions", allow_head=False)
    router.add_get(f"{base}/{{layer}}/versions/{{version}}", get_layer_version, name="GetLayerVersion",
                   allow_head=False)
    router.add_delete(f"{base}/{{layer}}/versions/{{version}}", delete_layer_version, name="DeleteLayerVersion")
    router.add_get("/_workbench/layers/{layer}/versions/{version}/package", download_layer, name="DownloadLayer",
                   allow_head=False)
