"""Concurrency (spec §4): Put/Get/DeleteFunctionConcurrency, Put/Get/Delete/ListProvisionedConcurrencyConfig(s),
GetAccountSettings — the engine's concurrency controls, as the API shapes them."""

from __future__ import annotations

from aiohttp import web

from workbench.api.context import empty_response, engine_of, function_name, json_response
from workbench.api.paging import page
from workbench.api.shapes import provisioned_config
from workbench.api.validation import Members, json_body
from workbench.model import limits

#: Lambda's default quota for the code of all functions and layers of an account (75 GB).
TOTAL_CODE_SIZE = 80_530_636_800


async def put_function_concurrency(request: web.Request) -> web.Response:
    engine = engine_of(request)
    body = Members(await json_body(request))
    reserved = body.integer("ReservedConcurrentExecutions", required=True, minimum=0)
    body.check()
    assert reserved is not None
    value = await engine.put_function_concurrency(function_name(request), reserved)
    return json_response({"ReservedConcurrentExecutions": value})


async def get_function_concurrency(request: web.Request) -> web.Response:
    reserved = engine_of(request).function_concurrency(function_name(request))
    return json_response({} if reserved is None else {"ReservedConcurrentExecutions": reserved})


async def delete_function_concurrency(request: web.Request) -> web.Response:
    await engine_of(request).delete_function_concurrency(function_name(request))
    return empty_response()


def _qualifier(request: web.Request) -> str:
    query = Members(request.query)
    qualifier = query.string("Qualifier", required=True, min_length=1, max_length=128, pattern=r"(|[a-zA-Z0-9$_-]+)")
    query.check()
    assert qualifier is not None
    return qualifier


async def put_provisioned_concurrency(request: web.Request) -> web.Response:
    engine = engine_of(request)
    qualifier = _qualifier(request)
    body = Members(await json_body(request))
    count = body.integer("ProvisionedConcurrentExecutions", required=True, minimum=1)
    body.check()
    assert count is not None
    config = await engine.put_provisioned_concurrency(function_name(request), qualifier, count)
    return json_response(provisioned_config(config), status=202)


async def get_provisioned_concurrency(request: web.Request) -> web.Response:
    """GetProvisionedConcurrencyConfig; with ?List=ALL the same path is ListProvisionedConcurrencyConfigs."""
    engine = engine_of(request)
    function = function_name(request)
    if request.query.get("List") == "ALL":
        configs = engine.provisioned_concurrency(function)
        shown, next_marker = page(configs, lambda config: config.qualifier, Members(request.query), max_size=50)
        document: dict[str, object] = {"ProvisionedConcurrencyConfigs": [
            provisioned_config(config, engine.function_arn(config.function, config.qualifier)) for config in shown]}
        if next_marker:
            document["NextMarker"] = next_marker
        return json_response(document)
    return json_response(provisioned_config(engine.get_provisioned_concurrency(function, _qualifier(request))))


async def delete_provisioned_concurrency(request: web.Request) -> web.Response:
    await engine_of(request).delete_provisioned_concurrency(function_name(request), _qualifier(request))
    return empty_response()


async def get_account_settings(request: web.Request) -> web.Response:
    engine = engine_of(request)
    account = engine.account_concurrency()
    code_size = sum(version.code.code_size for config in engine.functions()
                    for version in engine.list_versions(config.name))
    code_size += sum(layer.content.code_size for latest in engine.list_layers()
                     for layer in engine.list_layer_versions(latest.name))
    return json_response({
        "AccountLimit": {"TotalCodeSize": TOTAL_CODE_SIZE, "CodeSizeUnzipped": limits.UNZIPPED_MAX,
                         "CodeSizeZipped": limits.ZIP_UPLOAD_MAX, "ConcurrentExecutions": account.limit,
                         "UnreservedConcurrentExecutions": account.unreserved},
        "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": len(engine.functions())},
    })


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_put("/2017-10-31/functions/{function}/concurrency", put_function_concurrency,
                   name="PutFunctionConcurrency")
    router.add_get("/2019-09-30/functions/{function}/concurrency", get_function_concurrency,
                   name="GetFunctionConcurrency", allow_head=False)
    router.add_delete("/2017-10-31/functions/{function}/concurrency", delete_function_concurrency,
                      name="DeleteFunctionConcurrency")
    provisioned = "/2019-09-30/functions/{function}/provisioned-concurrency"
    router.add_put(provisioned, put_provisioned_concurrency, name="PutProvisionedConcurrencyConfig")
    router.add_get(provisioned, get_provisioned_concurrency, name="GetProvisionedConcurrencyConfig",
                   allow_head=False)
    router.add_delete(provisioned, delete_provisioned_concurrency, name="DeleteProvisionedConcurrencyConfig")
    router.add_get("/2016-08-19/account-settings", get_account_settings, name="GetAccountSettings", allow_head=False)
