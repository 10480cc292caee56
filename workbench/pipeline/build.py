"""The Build stage: the buildspec's commands in a clean checkout, then the template checked and packaged.

Each command runs in `/bin/sh` in the checkout, with the buildspec's variables and CodeBuild's own
(`CODEBUILD_SRC_DIR`, `CODEBUILD_RESOLVED_SOURCE_VERSION`), and the workbench's interpreter first on PATH
(so `python` and `workbench` are the ones running the pipeline). ``aws`` adds what CodeBuild's role
would give: the workbench's one endpoint (AWS_ENDPOINT_URL) and credentials, so unit tests reach the local
services as the deployed functions do. The whole stage has one deadline: a
command still running at the deadline is killed with its process group and the stage fails. A failing
command ends its phase (its `finally` commands still run) and the build.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from workbench.engine import deterministic_zip
from workbench.model.template import Template, TemplateError, load_template
from workbench.pipeline.buildspec import BuildspecError, load_buildspec
from workbench.pipeline.definition import PipelineDefinition

Log = Callable[[str], Awaitable[None]]


class StageFailedError(Exception):
    """A stage failed; the message is the reason shown as the run's error."""


@dataclass(frozen=True, slots=True)
class BuildOutput:
    template: Template
    #: Function name -> its code as a ZIP, packaged from the checkout (like `sam build`).
    packages: dict[str, bytes]


async def run_build(checkout: Path, definition: PipelineDefinition, commit: str, log: Log, *,
                    aws: Mapping[str, str] | None = None,
                    resource_attributes: Mapping[str, Mapping[str, str]] | None = None) -> BuildOutput:
    """``resource_attributes``: the supporting resources the workbench made (logical id -> Ref, Arn, ...), so
    the template's references to them resolve to the real names in the deployed configuration."""
    deadline = time.monotonic() + definition.build_timeout
    try:
        spec = load_buildspec(checkout / definition.buildspec)
    except BuildspecError as exc:
        raise StageFailedError(str(exc)) from None
    for ignored in spec.ignored:
        await log(f"note: {ignored} is not used by a local build\n")
    env = {**os.environ, **spec.variables, "CODEBUILD_SRC_DIR": str(checkout),
           "CODEBUILD_RESOLVED_SOURCE_VERSION": commit, "CODEBUILD_BUILD_SUCCEEDING": "1", **(aws or {})}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("GIT_DIR", None)
    for phase in spec.phases:
        await log(f"[phase {phase.name}]\n")
        failure: str | None = None
        for command in phase.commands:
            failure = await _run(command, checkout, env, deadline, definition.build_timeout, log)
            if failure is not None:
                env["CODEBUILD_BUILD_SUCCEEDING"] = "0"
                break
        for command in phase.finally_commands:
            await _run(command, checkout, env, deadline, definition.build_timeout, log)
        if failure is not None:
            raise StageFailedError(f"phase {phase.name}: {failure}")
    await log(f"[checking {definition.template}]\n")
    try:
        template = load_template(checkout / definition.template, resource_attributes=resource_attributes)
    except TemplateError as exc:
        raise StageFailedError(f"the template is invalid: {exc}") from None
    packages: dict[str, bytes] = {}
    for function in template.functions:
        if function.code_uri is None:
            continue
        data = (function.code_uri.read_bytes() if function.code_uri.is_file()
                else await asyncio.to_thread(deterministic_zip, function.code_uri))
        packages[function.name] = data
        await log(f"packaged {function.name}: {len(data)} bytes from {function.code_uri.relative_to(checkout)}\n")
    if spec.artifact_files:
        base = checkout / spec.artifact_base
        count = sum(1 for pattern in spec.artifact_files for path in base.glob(pattern) if path.is_file())
        await log(f"artifacts: {count} file(s) matching {', '.join(spec.artifact_files)}\n")
    return BuildOutput(template, packages)


async def _run(command: str, cwd: Path, env: dict[str, str], deadline: float, timeout: float, log: Log) -> str | None:
    """Run one command; None when it succeeded, else why it failed."""
    await log(f"$ {command}\n")
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return f"the Build stage timed out after {timeout:g} s"
    process = await asyncio.create_subprocess_exec(
        "/bin/sh", "-c", command, cwd=cwd, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, start_new_session=True)
    assert process.stdout is not None
    try:
        async with asyncio.timeout(remaining):
            while line := await process.stdout.readline():
                await log(line.decode("utf-8", errors="replace"))
            code = await process.wait()
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
        await log(f"killed: the Build stage timed out after {timeout:g} s\n")
        return f"the Build stage timed out after {timeout:g} s while running `{command}`"
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
        raise
    if code != 0:
        return f"`{command}` exited with status {code}"
    return None
