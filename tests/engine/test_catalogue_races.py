"""Control-plane requests that overlap (two API clients at once) never overwrite each other's work."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path

import pytest

from workbench.engine.core.errors import PreconditionFailedError, ResourceConflictError
from workbench.engine.facade import Engine
from workbench.model.function import validate_function


def _package(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", text)
    return buffer.getvalue()


async def test_concurrent_creates_of_one_name_conflict(tmp_path: Path) -> None:
    config = validate_function(name="fn", runtime="python3.11", handler="app.handler", code_uri=None,
                               require_code=False)
    async with Engine(None, state_dir=tmp_path / ".workbench") as engine:
        results = await asyncio.gather(engine.create_function(config, _package("A = 1\n")),
                                       engine.create_function(config, _package("A = 2\n")), return_exceptions=True)
        assert sum(isinstance(result, ResourceConflictError) for result in results) == 1
        created = next(result for result in results if not isinstance(result, BaseException))
        assert engine.function_version("fn").code.digest == created.code.digest


async def test_concurrent_code_updates_with_one_revision_id(tmp_path: Path) -> None:
    config = validate_function(name="fn", runtime="python3.11", handler="app.handler", code_uri=None,
                               require_code=False)
    async with Engine(None, state_dir=tmp_path / ".workbench") as engine:
        revision = (await engine.create_function(config, _package("A = 0\n"))).revision_id
        results = await asyncio.gather(
            engine.update_function_code("fn", _package("A = 1\n"), revision_id=revision),
            engine.update_function_code("fn", _package("A = 2\n"), revision_id=revision), return_exceptions=True)
        assert sum(isinstance(result, PreconditionFailedError) for result in results) == 1
        with pytest.raises(PreconditionFailedError):
            await engine.update_function_code("fn", _package("A = 3\n"), revision_id=revision)
