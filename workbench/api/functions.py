"""Functions: CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions, UpdateFunctionCode,
UpdateFunctionConfiguration, DeleteFunction; and the download behind GetFunction's Code.Location."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from aiohttp import web

from workbench.api.configuration import check_runtime, note_cloud_only, read_config, read_package
from workbench.api.context import empty_response, engine_of, function_name, json_response
from workbench.api.guard import presigned_url
from workbench.api.paging import number_key, page
from workbench.api.shapes import Phase, function_configuration
from workbench.api.validation import Members, json_body
from workbench.engine import Engine, FunctionVersion, InvalidParameterValueError, check_revision_id, parse_name
from workbench.model.arn import FUNCTION_NAME_PATTERN, LATEST
from workbench.model.function import ConfigError, validate_function


def resolve_version(engine: Engine, name: str, qualifier: str | None) -> tuple[FunctionVersion, str]:
    """The version a FunctionName (possibly qualified) and Qualifier name, and the ARN the caller used."""
    ref = parse_name(name)
    if ref.qualifier and qualifier and ref.qualifier != qualifier:
        raise InvalidParameterValueError("The derived qualifier from the function name does not match the specified "
                                         "qualifier.")
    wanted = qualifier or ref.qualifier
    version = engine.function_version(ref.name, wanted)
    return version, engine.function_arn(version.name, wanted)


async def render(engine: Engine, version: FunctionVersion, arn: str, phase: Phase) -> dict[str, object]:
    """FunctionConfiguration, with the runtime version ARN the function's environments report."""
    return function_configuration(version, arn, phase, await engine.runtime_version_arn(version.config.runtime))


async def create_function(request: web.Request) -> web.Response:
    engine = engine_of(request)
    body = Members(await json_body(request))
    name = body.string("FunctionName", required=True, min_length=1, max_length=140, pattern=FUNCTION_NAME_PATTERN)
    code = body.structure("Code", required=True)
    package_type = body.string("PackageType", enum=("Zip", "Image"))
    publish = body.boolean("Publish")
    changes = read_config(body, creating=True)
    body.check()
    assert name is not None
    note_cloud_only("CreateFunction", body)
    if package_type == "Image":
        raise InvalidParameterValueError("Container images (PackageType Image) are not supported by the workbench: "
                                         "upload a ZIP deployment package (PackageType Zip)")
    check_runtime(changes.get("runtime"))
    if "runtime" not in changes:
        raise InvalidParameterValueError("Runtime and Handler are mandatory parameters for functions created with "
                                         "deployment packages.")
    try:
        config = validate_function(name=parse_name(name).name, code_uri=None, require_code=False,
                                   handler=changes.pop("handler", None), **changes)
    except ConfigError as exc:
        raise InvalidParameterValueError(str(exc)) from None
    package = await read_package(code)
    created = await engine.create_function(config, package, source="api")
    if publish:  # the answer shows the new version number, under the unqualified ARN (as AWS does)
        created = await engine.publish_version(config.name)
    return json_response(await render(engine, created, engine.function_arn(config.name), Phase.CREATED), status=201)


async def get_function(request: web.Request) -> web.Response:
    engine = engine_of(request)
    name = function_name(request)
    qualifier = request.query.get("Qualifier")
    version, arn = resolve_version(engine, name, qualifier)
    location = presigned_url(request, f"/_workbench/functions/{quote(version.name)}/package",
                             {"Qualifier": version.version} if version.version != LATEST else None)
    document: dict[str, object] = {
        "Configuration": await render(engine, version, arn, Phase.CURRENT),
        "Code": {"RepositoryType": "S3", "Location": location},
    }
    reserved = engine.function_concurrency(version.name)
    if reserved is not None:
        document["Concurrency"] = {"ReservedConcurrentExecutions": reserved}
    return json_response(document)


async def get_function_configuration(request: web.Request) -> web.Response:
    engine = engine_of(request)
    version, arn = resolve_version(engine, function_name(request), request.query.get("Qualifier"))
    return json_response(await render(engine, version, arn, Phase.CURRENT))


async def list_functions(request: web.Request) -> web.Response:
    engine = engine_of(request)
    query = Members(request.query)
    every_version = query.string("FunctionVersion", enum=("ALL",)) == "ALL"
    versions = [version for config in engine.functions()
                for version in (engine.list_versions(config.name) if every_version
                                else [engine.function_version(config.name)])]

    def sort_key(version: FunctionVersion) -> str:
        number = 0 if version.version == LATEST else int(version.version)
        return f"{version.name}\0{number_key(number)}"

    shown, next_marker = page(versions, sort_key, query)
    document: dict[str, object] = {"Functions": [
        function_configuration(version, engine.function_arn(version.name, version.version if every_version else None),
                               Phase.LISTED) for version in shown]}
    if next_marker:
        document["NextMarker"] = next_marker
    return json_response(document)


async def update_function_code(request: web.Request) -> web.Response:
    engine = engine_of(request)
    name = parse_name(function_name(request)).name
    body = Members(await json_body(request))
    publish = body.boolean("Publish")
    dry_run = body.boolean("DryRun")
    revision_id = body.string("RevisionId")
    architectures = body.strings("Architectures", min_items=1, max_items=1, enum=("x86_64", "arm64"))
    body.check()
    note_cloud_only("UpdateFunctionCode", body)
    package = await read_package(body)
    if dry_run:  # checked as far as it can be without taking the package in
        current = engine.function_version(name)
        check_revision_id(current.revision_id, revision_id)
        return json_response(await render(engine, current, engine.function_arn(name), Phase.CURRENT))
    if architectures is not None and tuple(architectures) != engine.function(name).architectures:
        await engine.update_function_configuration(name, revision_id=revision_id, architectures=architectures)
        revision_id = None
    updated = await engine.update_function_code(name, package, publish=publish, revision_id=revision_id)
    return json_response(await render(engine, updated, engine.function_arn(name), Phase.UPDATED))


async def update_function_configuration(request: web.Request) -> web.Response:
    engine = engine_of(request)
    name = parse_name(function_name(request)).name
    body = Members(await json_body(request))
    revision_id = body.string("RevisionId")
    changes = read_config(body, creating=False)
    body.check()
    note_cloud_only("UpdateFunctionConfiguration", body)
    check_runtime(changes.get("runtime"))
    updated = await engine.update_function_configuration(name, revision_id=revision_id, **changes)
    return json_response(await render(engine, updated, engine.function_arn(name), Phase.UPDATED))


async def delete_function(request: web.Request) -> web.Response:
    engine = engine_of(request)
    ref = parse_name(function_name(request))
    qualifier = request.query.get("Qualifier") or ref.qualifier
    if qualifier == LATEST:
        raise InvalidParameterValueError("$LATEST version cannot be deleted without deleting the function.")
    await engine.delete_function(ref.name, qualifier)
    return empty_response()


async def download_package(request: web.Request) -> web.Response:
    """Code.Location: the deployment package of a function version, as a ZIP."""
    engine = engine_of(request)
    data = await asyncio.to_thread(engine.export_package, function_name(request), request.query.get("Qualifier"))
    return web.Response(body=data, content_type="application/zip")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/2015-03-31/functions", create_function, name="CreateFunction")
    router.add_get("/2015-03-31/functions", list_functions, name="ListFunctions", allow_head=False)
    router.add_get("/2015-03-31/functions/{function}", get_function, name="GetFunction", allow_head=False)
    router.add_delete("/2015-03-31/functions/{function}", delete_function, name="DeleteFunction")
    router.add_get("/2015-03-31/functions/{function}/configuration", get_function_configuration,
                   name="GetFunctionConfiguration", allow_head=False)
    router.add_put("/2015-03-31/functions/{function}/configuration", update_function_configuration,
                   name="UpdateFunctionConfiguration")
    router.add_put("/2015-03-31/functions/{function}/code", update_function_code, name="UpdateFunctionCode")
    router.add_get("/_workbench/functions/{function}/package", download_package, name="DownloadPackage",
                   allow_head=False)
