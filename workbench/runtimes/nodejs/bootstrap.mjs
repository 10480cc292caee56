// Lambda Workbench's Node.js runtime: a Runtime API client that runs `file.function` handlers.
//
// Self-contained on purpose (Node's standard library only): it is started inside every Node.js execution
// environment, on the host or in a container. It behaves like AWS's managed Node.js runtime: CommonJS and
// ES-module handlers, async and callback styles, the same context object, error shapes and log format.

import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import util from "node:util";
import nodeModule from "node:module";
import { pathToFileURL } from "node:url";

const API_PREFIX = "/2018-06-01/runtime";
const [apiHost, apiPort] = (() => {
  const address = process.env.AWS_LAMBDA_RUNTIME_API || "127.0.0.1:9001";
  const at = address.lastIndexOf(":");
  return [address.slice(0, at), Number(address.slice(at + 1))];
})();

// A keep-alive HTTP/1.1 client for the Runtime API. Hand-written on purpose: node:http's client machinery
// costs more CPU than a whole warm invocation, and the Runtime API is a known peer on loopback. Requests are
// strictly sequential (one event at a time), so one pending response at a time is all it has to track.
class RuntimeConnection {
  constructor() {
    this.socket = undefined;
    this.buffer = Buffer.alloc(0);
    this.pending = undefined;
  }

  connect() {
    this.buffer = Buffer.alloc(0);
    const socket = net.createConnection({ host: apiHost, port: apiPort });
    socket.setNoDelay(true);
    socket.on("data", (chunk) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.parse();
    });
    const fail = (error) => {
      if (this.socket === socket) this.socket = undefined;
      const pending = this.pending;
      this.pending = undefined;
      if (pending) pending.reject(error || new Error("Runtime API closed the connection"));
    };
    socket.on("error", fail);
    socket.on("close", () => fail());
    this.socket = socket;
  }

  parse() {
    if (!this.pending) return;
    const headEnd = this.buffer.indexOf("\r\n\r\n");
    if (headEnd < 0) return;
    const lines = this.buffer.toString("latin1", 0, headEnd).split("\r\n");
    const status = Number(lines[0].split(" ")[1]);
    const headers = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers["content-length"] || 0);
    if (this.buffer.length < headEnd + 4 + length) return;
    const body = this.buffer.subarray(headEnd + 4, headEnd + 4 + length);
    this.buffer = this.buffer.subarray(headEnd + 4 + length);
    const pending = this.pending;
    this.pending = undefined;
    pending.resolve({ status, headers, body });
  }

  request(method, urlPath, body, headers) {
    return new Promise((resolve, reject) => {
      if (!this.socket) this.connect();
      const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
      let head = `${method} ${API_PREFIX}${urlPath} HTTP/1.1\r\nHost: ${apiHost}:${apiPort}\r\n`;
      for (const [name, value] of Object.entries(headers || {})) head += `${name}: ${value}\r\n`;
      head += `Content-Length: ${payload.length}\r\n\r\n`;
      this.pending = { resolve, reject };
      this.socket.write(payload.length ? Buffer.concat([Buffer.from(head, "latin1"), payload]) : head);
    });
  }
}

const connection = new RuntimeConnection();

async function request(method, urlPath, body, headers) {
  try {
    return await connection.request(method, urlPath, body, headers);
  } catch (error) {
    return connection.request(method, urlPath, body, headers);  // the connection dropped: reconnect once
  }
}

// -- logging ------------------------------------------------------------------------------------------
let currentRequestId = undefined;

function writeLog(level, args) {
  const message = util.format(...args).replace(/\n/g, "\r");
  process.stdout.write(`${new Date().toISOString()}\t${currentRequestId ?? "undefined"}\t${level}\t${message}\n`);
}

function patchConsole() {
  const levels = { log: "INFO", info: "INFO", warn: "WARN", error: "ERROR", debug: "DEBUG", trace: "TRACE", fatal: "FATAL" };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => writeLog(level, args);
  }
}

// -- errors -------------------------------------------------------------------------------------------
class FaultError extends Error {
  constructor(errorType, message, cause) {
    super(message);
    this.errorType = errorType;
    this.causeError = cause;
  }
}

function errorDocument(error) {
  if (error instanceof FaultError) {
    const trace = error.causeError && error.causeError.stack ? String(error.causeError.stack).split("\n") : [];
    return { errorType: error.errorType, errorMessage: error.message, trace };
  }
  if (error instanceof Error) {
    return {
      errorType: error.name || "Error",
      errorMessage: error.message,
      trace: String(error.stack || "").split("\n"),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function logInvokeError(document) {
  const logged = { errorType: document.errorType, errorMessage: document.errorMessage, stack: document.trace };
  writeLog("ERROR", ["Invoke Error \t" + JSON.stringify(logged)]);
}

// -- handler loading ----------------------------------------------------------------------------------
function splitHandler(handler) {
  const slash = handler.lastIndexOf("/");
  const dir = handler.slice(0, slash + 1);
  const rest = handler.slice(slash + 1);
  const dot = rest.indexOf(".");
  if (dot < 1 || dot === rest.length - 1) {
    throw new FaultError("Runtime.MalformedHandlerName", `Bad handler ${handler}`);
  }
  return [dir + rest.slice(0, dot), rest.slice(dot + 1).split(".")];
}

function resolveModuleFile(taskRoot, modulePath) {
  for (const extension of [".js", ".mjs", ".cjs"]) {
    const candidate = path.resolve(taskRoot, modulePath + extension);
    if (fs.existsSync(candidate)) return candidate;
  }
  const directory = path.resolve(taskRoot, modulePath);
  if (fs.existsSync(directory) && fs.statSync(directory).isDirectory()) return directory;
  return undefined;
}

// Whether Node loads `file` as an ES module: `.mjs`, or `.js` under a package.json with "type": "module".
function isEsModule(file) {
  if (file.endsWith(".mjs")) return true;
  if (!file.endsWith(".js")) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).type === "module";
    } catch (error) {
      if (error.code !== "ENOENT" && error.code !== "ENOTDIR") return false;
    }
    if (path.dirname(dir) === dir) return false;
  }
}

// ES modules ignore NODE_PATH; Lambda's runtimes still let them import the SDK and layers' packages. Before
// Node 22.15 the hooks cost a loader thread at init, so only ES-module handlers get them (node_path_hooks.mjs).
async function enableNodePathForImports(file) {
  const nodePath = (process.env.NODE_PATH || "").split(path.delimiter).filter(Boolean);
  if (!nodePath.length || !isEsModule(file)) return;
  const hooks = new URL("./node_path_hooks.mjs", import.meta.url);
  if (typeof nodeModule.registerHooks === "function") {
    const { initialize, resolveSync } = await import(hooks.href);
    initialize({ nodePath });
    nodeModule.registerHooks({ resolve: resolveSync });
  } else if (typeof nodeModule.register === "function") {
    nodeModule.register(hooks, { data: { nodePath } });
  }
}

async function loadHandler(taskRoot, handlerName) {
  const [modulePath, attributePath] = splitHandler(handlerName);
  const file = resolveModuleFile(taskRoot, modulePath);
  if (file === undefined) {
    throw new FaultError("Runtime.ImportModuleError", `Error: Cannot find module '${modulePath}'`);
  }
  await enableNodePathForImports(file);
  let module;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new FaultError("Runtime.UserCodeSyntaxError", `${error.name}: ${error.message}`, error);
    }
    if (error && (error.code === "ERR_MODULE_NOT_FOUND" || error.code === "MODULE_NOT_FOUND")) {
      throw new FaultError("Runtime.ImportModuleError", `Error: ${error.message}`, error);
    }
    throw error;
  }
  let target = module;
  for (const [index, name] of attributePath.entries()) {
    let next = target == null ? undefined : target[name];
    if (next === undefined && index === 0 && module.default != null) next = module.default[name];
    target = next;
  }
  if (target === undefined) {
    throw new FaultError("Runtime.HandlerNotFound", `${handlerName} is undefined or not exported`);
  }
  if (typeof target !== "function") {
    throw new FaultError("Runtime.HandlerNotFound", `${handlerName} is not a function`);
  }
  return target;
}

// -- invocation ---------------------------------------------------------------------------------------
function parseJsonHeader(value) {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function makeContext(headers, settle) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: parseJsonHeader(headers["lambda-runtime-cognito-identity"]),
    clientContext: parseJsonHeader(headers["lambda-runtime-client-context"]),
    tenantId: headers["lambda-runtime-aws-tenant-id"],
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    succeed: (result) => settle(undefined, result),
    fail: (error) => settle(error ?? new Error("handled"), undefined),
    done: (error, result) => settle(error, result),
  };
  return context;
}

function runHandler(handler, event, headers) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(result);
    };
    const context = makeContext(headers, settle);
    try {
      const returned = handler(event, context, settle);
      if (returned && typeof returned.then === "function") {
        returned.then((result) => settle(undefined, result), (error) => settle(error ?? new Error("rejected"), undefined));
      } else if (handler.length < 3) {
        settle(undefined, returned);
      }
    } catch (error) {
      settle(error, undefined);
    }
  });
}

let inFlight = undefined;

async function postError(requestId, document) {
  await request("POST", `/invocation/${requestId}/error`, JSON.stringify(document), {
    "Content-Type": "application/json",
    "Lambda-Runtime-Function-Error-Type": "Unhandled",
  });
}

async function handleOne(handler, response) {
  const headers = response.headers;
  const requestId = headers["lambda-runtime-aws-request-id"];
  currentRequestId = requestId;
  inFlight = requestId;
  if (headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = headers["lambda-runtime-trace-id"];
  else delete process.env._X_AMZN_TRACE_ID;
  let body;
  try {
    let event;
    try {
      event = response.body.length ? JSON.parse(response.body.toString("utf8")) : {};
    } catch (error) {
      throw new FaultError("Runtime.UnmarshalError", `Unable to unmarshal input: ${error.message}`);
    }
    const result = await runHandler(handler, event, headers);
    body = JSON.stringify(result === undefined ? null : result);
  } catch (error) {
    const document = errorDocument(error);
    logInvokeError(document);
    inFlight = undefined;
    await postError(requestId, document);
    return;
  }
  inFlight = undefined;
  await request("POST", `/invocation/${requestId}/response`, body, { "Content-Type": "application/json" });
}

async function failFatally(errorType, error) {
  const document = { ...errorDocument(error), errorType };
  writeLog("ERROR", [`${errorType}\t` + JSON.stringify(document)]);
  if (inFlight !== undefined) {
    const requestId = inFlight;
    inFlight = undefined;
    try {
      await postError(requestId, document);
    } catch {
      // the runtime is exiting anyway
    }
  }
  process.exit(129);
}

async function main() {
  patchConsole();
  process.on("uncaughtException", (error) => failFatally("Runtime.UncaughtException", error));
  process.on("unhandledRejection", (reason) => failFatally("Runtime.UnhandledPromiseRejection", reason));
  const taskRoot = process.env.LAMBDA_TASK_ROOT || "/var/task";
  let handler;
  try {
    handler = await loadHandler(taskRoot, process.env._HANDLER || "");
  } catch (error) {
    const document = errorDocument(error);
    if (!(error instanceof FaultError)) document.errorType = error && error.name ? error.name : "Error";
    writeLog("ERROR", ["Init Error \t" + JSON.stringify(document)]);
    const headerType = document.errorType.startsWith("Runtime.") ? document.errorType : "Runtime.Unknown";
    await request("POST", "/init/error", JSON.stringify(document), {
      "Content-Type": "application/json",
      "Lambda-Runtime-Function-Error-Type": headerType,
    });
    process.exit(1);
  }
  for (;;) {
    const response = await request("GET", "/invocation/next");
    if (response.status !== 200) {
      throw new Error(`Runtime API next returned ${response.status}: ${response.body.toString()}`);
    }
    await handleOne(handler, response);
  }
}

main().catch((error) => {
  process.stderr.write(`runtime failure: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
