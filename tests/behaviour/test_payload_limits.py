"""Payload limits end to end: oversize responses, oversize and malformed requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import make_project, running
from workbench.engine.core.errors import InvalidRequestContentError, RequestTooLargeError

APP = """
    def handler(event, context):
        return "x" * event["size"]
"""


async def test_response_over_6mb_is_function_response_size_too_large(tmp_path: Path, backend: str) -> None:
    project = make_project(tmp_path, {"Fn": {"CodeUri": "src", "Handler": "app.handler", "Runtime": "python3.11",
                                             "MemorySize": 512}}, {"src/app.py": APP})
    async with running(project, backend) as engine:
        big = await engine.invoke("Fn", b'{"size": 7000000}')
        ok = await engine.invoke("Fn", b'{"size": 10}')
        with pytest.raises(RequestTooLargeError):
            await engine.invoke("Fn", b'"' + b"x" * (6 * 1024 * 1024) + b'"')
        with pytest.raises(InvalidRequestContentError):
            await engine.invoke("Fn", b"{not json")
    assert big.function_error == "Unhandled"
    assert big.json() == {"errorType": "Function.ResponseSizeTooLarge",
                          "errorMessage": "Response payload size (7000002 bytes) exceeded maximum allowed payload "
                                          "size (6291556 bytes)."}
    assert "Status: error\tError Type: Function.ResponseSizeTooLarge" in big.log_tail
    assert ok.json() == "x" * 10
