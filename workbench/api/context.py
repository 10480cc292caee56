"""What every handler needs from its request: the engine, the caller's view of names, and JSON responses."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from workbench.engine import Engine, parse_name

ENGINE = web.AppKey("engine", Engine)


def engine_of(request: web.Request) -> Engine:
    return request.app[ENGINE]


def function_name(request: web.Request) -> str:
    """The FunctionName path member, checked against the model's pattern (ValidationException)."""
    name = request.match_info["function"]
    parse_name(name)
    return name


def json_response(document: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=json.dumps(document).encode(), content_type="application/json")


def empty_response(status: int = 204) -> web.Response:
    return web.Response(status=status)
