// Module resolve hooks for ES-module handlers: NODE_PATH for `import`, as Lambda's Node.js runtimes give it.
//
// Node's ES-module resolution ignores NODE_PATH, so `import { SQSClient } from "@aws-sdk/client-sqs"` in an
// `.mjs` handler would find only the function's own node_modules (and its parents). On Lambda's nodejs18+
// runtimes such an import finds the SDK the runtime ships. This hook keeps Node's own resolution first (the
// function's bundled packages win) and only when a bare specifier is not found retries it from each
// NODE_PATH entry in order (layers' /opt/nodejs/..., then the runtime's SDK), with Node's full ES-module
// rules (package "exports", "import" conditions) rather than a hand-written lookup.

import path from "node:path";
import { pathToFileURL } from "node:url";

let parents = [];

// `data.nodePath`: the NODE_PATH entries (each a node_modules folder). Resolving "x" from a module that sits
// beside an entry looks in that entry first, exactly where NODE_PATH would look.
export function initialize(data) {
  parents = (data?.nodePath ?? [])
    .filter((entry) => path.isAbsolute(entry) && path.basename(entry) === "node_modules")
    .map((entry) => pathToFileURL(path.join(path.dirname(entry), "[workbench-node-path].mjs")).href);
}

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:|#)/i.test(specifier);
}

function notFound(error) {
  return error?.code === "ERR_MODULE_NOT_FOUND";
}

// module.register's asynchronous hook (Node 18.19+, run on a loader thread).
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!notFound(error) || !isBare(specifier)) throw error;
    for (const parentURL of parents) {
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch (retry) {
        if (!notFound(retry)) throw retry;
      }
    }
    throw error;
  }
}

// module.registerHooks' synchronous hook (Node 22.15+): the same rule, in the main thread, with no loader
// thread to start.
export function resolveSync(specifier, context, nextResolve) {
  try {
    return nextResolve(specifier, context);
  } catch (error) {
    if (!notFound(error) || !isBare(specifier)) throw error;
    for (const parentURL of parents) {
      try {
        return nextResolve(specifier, { ...context, parentURL });
      } catch (retry) {
        if (!notFound(retry)) throw retry;
      }
    }
    throw error;
  }
}
