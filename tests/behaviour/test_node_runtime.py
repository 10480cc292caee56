"""The Node.js runtime: CommonJS and ES modules, async and callback handlers, context, errors, logs."""

from __future__ import annotations

import re
from pathlib import Path

from tests.behaviour.checks import ACCOUNT_ARN, LOG_STREAM
from tests.helpers import EventLog, make_project, running
from workbench.engine.observation.events import LogLine
from workbench.model.project import Project

FILES = {
    "src/cjs.js": """
        let calls = 0;
        exports.handler = async (event, context) => {
          calls += 1;
          console.log("hello", {n: calls});
          return { calls, event, pid: process.pid, name: context.functionName, version: context.functionVersion,
                   arn: context.invokedFunctionArn, memory: context.memoryLimitInMB, rid: context.awsRequestId,
                   group: context.logGroupName, stream: context.logStreamName,
                   remaining: context.getRemainingTimeInMillis(), client: context.clientContext,
                   waits: context.callbackWaitsForEmptyEventLoop, trace: process.env._X_AMZN_TRACE_ID };
        };
        exports.callback = (event, context, callback) => { setTimeout(() => callback(null, "via callback"), 5); };
        exports.fails = async () => { throw new TypeError("bad type"); };
        exports.callbackFails = (event, context, callback) => callback(new Error("cb failed"));
        exports.throwsString = async () => { throw "just a string"; };
        exports.returnsNothing = async () => {};
        exports.notAFunction = 42;
    """,
    "src/esm.mjs": """
        export const handler = async (event) => ({ esm: true, got: event });
    """,
    "src/module/package.json": '{"type": "module"}',
    "src/module/index.js": """
        import { helper } from "./helper.js";
        export async function handler() { return helper(); }
    """,
    "src/module/helper.js": "export function helper() { return 'esm-in-js'; }\n",
    "src/nested/deep/fn.js": "exports.run = async () => 'nested';\n",
    "src/broken.js": "exports.handler = async () => { return ; ;; }}}\n",
}


def _project(tmp_path: Path) -> Project:
    functions = {
        name: {"CodeUri": "src", "Handler": handler, "Runtime": "nodejs20.x", "MemorySize": 256}
        for name, handler in {
            "Cjs": "cjs.handler", "Callback": "cjs.callback", "Fails": "cjs.fails",
            "CallbackFails": "cjs.callbackFails", "ThrowsString": "cjs.throwsString",
            "Nothing": "cjs.returnsNothing", "NotFunction": "cjs.notAFunction", "Esm": "esm.handler",
            "EsmJs": "module/index.handler", "Nested": "nested/deep/fn.run", "Missing": "nope.handler",
            "Undefined": "cjs.absent", "Broken": "broken.handler",
        }.items()
    }
    return make_project(tmp_path, functions, FILES)


async def test_commonjs_async_handler_context_reuse_and_logs(tmp_path: Path, backend: str) -> None:
    events = EventLog()
    async with running(_project(tmp_path), backend) as engine:
        engine.subscribe(events)
        first = await engine.invoke("Cjs", b'{"a": 1}')
        second = await engine.invoke("Cjs", b'{"a": 2}')
    one, two = first.json(), second.json()
    assert (one["calls"], two["calls"]) == (1, 2) and one["pid"] == two["pid"]
    assert one["event"] == {"a": 1}
    assert one["name"] == "Cjs" and one["version"] == "$LATEST" and one["memory"] == "256"
    assert one["arn"] == ACCOUNT_ARN + "Cjs"
    assert one["rid"] == first.request_id and one["group"] == "/aws/lambda/Cjs"
    assert re.fullmatch(LOG_STREAM, one["stream"])
    assert 2000 < one["remaining"] <= 3000 and one["waits"] is True
    assert one["trace"].startswith("Root=1-")
    line = next(e for e in events.of(LogLine) if "hello" in e.message)
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{first.request_id}\tINFO\thello {{ n: 1 }}",
                        line.message)
    assert line.request_id == first.request_id
    init_start = events.of(LogLine)[0].message
    assert init_start.startswith("INIT_START Runtime Version: nodejs:")


async def test_handler_styles_and_module_kinds(tmp_path: Path, backend: str) -> None:
    async with running(_project(tmp_path), backend) as engine:
        assert (await engine.invoke("Callback")).json() == "via callback"
        assert (await engine.invoke("Esm", b'{"x": 1}')).json() == {"esm": True, "got": {"x": 1}}
        assert (await engine.invoke("EsmJs")).json() == "esm-in-js"
        assert (await engine.invoke("Nested")).json() == "nested"
        nothing = await engine.invoke("Nothing")
    assert nothing.payload == b"null" and nothing.function_error is None


async def test_errors_have_the_node_runtime_shape(tmp_path: Path, backend: str) -> None:
    events = EventLog()
    async with running(_project(tmp_path), backend) as engine:
        engine.subscribe(events)
        fails = await engine.invoke("Fails")
        callback = await engine.invoke("CallbackFails")
        string = await engine.invoke("ThrowsString")
    body = fails.json()
    assert fails.function_error == "Unhandled"
    assert body["errorType"] == "TypeError" and body["errorMessage"] == "bad type"
    assert body["trace"][0] == "TypeError: bad type" and any("cjs.js" in frame for frame in body["trace"])
    assert callback.json()["errorMessage"] == "cb failed"
    assert string.json() == {"errorType": "string", "errorMessage": "just a string", "trace": []}
    logged = [e.message for e in events.of(LogLine) if e.request_id == fails.request_id and "ERROR" in e.message]
    assert re.search(r"\tERROR\tInvoke Error \t\{\"errorType\":\"TypeError\",\"errorMessage\":\"bad type\"", logged[0])


async def test_handler_resolution_errors(tmp_path: Path, backend: str) -> None:
    async with running(_project(tmp_path), backend) as engine:
        missing = (await engine.invoke("Missing")).json()
        undefined = (await engine.invoke("Undefined")).json()
        not_function = (await engine.invoke("NotFunction")).json()
        broken = (await engine.invoke("Broken")).json()
    assert missing["errorType"] == "Runtime.ImportModuleError"
    assert missing["errorMessage"] == "Error: Cannot find module 'nope'"
    assert undefined == {**undefined, "errorType": "Runtime.HandlerNotFound",
                         "errorMessage": "cjs.absent is undefined or not exported"}
    assert not_function["errorType"] == "Runtime.HandlerNotFound"
    assert broken["errorType"] == "Runtime.UserCodeSyntaxError"
