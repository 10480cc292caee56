// Unit tests of the order pricer: `node --test tests/`.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const app = require(path.join(__dirname, "..", "src", "index.js"));
// The sample events: beside the tests in the blueprint, in the project's events/<function>/ once created.
const inBlueprint = path.join(__dirname, "..", "events");
const EVENTS = fs.existsSync(inBlueprint) ? inBlueprint : path.join(__dirname, "..", "..", "events", path.basename(path.join(__dirname, "..")));
const sample = (name) => JSON.parse(fs.readFileSync(path.join(EVENTS, `${name}.json`), "utf8"));

test.beforeEach(() => { process.env.TAX_RATE = "0.2"; });
test.afterEach(() => { delete process.env.TAX_RATE; });

test("a valid order is priced", async () => {
  assert.deepEqual(await app.handler(sample("valid-order")), { orderId: "A-1001", net: 30, tax: 6, total: 36 });
});

test("an invalid order throws, for the retries and the DLQ", async () => {
  await assert.rejects(app.handler(sample("invalid-order")), { name: "InvalidOrderError" });
  await assert.rejects(app.handler({ orderId: "x", lines: [{ quantity: 0, unitPrice: 1 }] }), app.InvalidOrderError);
});
