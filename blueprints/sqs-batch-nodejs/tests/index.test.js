// Unit tests of the partial batch response: `node --test tests/`.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const app = require(path.join(__dirname, "..", "src", "index.js"));
// The sample events: beside the tests in the blueprint, in the project's events/<function>/ once created.
const inBlueprint = path.join(__dirname, "..", "events");
const EVENTS = fs.existsSync(inBlueprint) ? inBlueprint : path.join(__dirname, "..", "..", "events", path.basename(path.join(__dirname, "..")));
const sample = (name) => JSON.parse(fs.readFileSync(path.join(EVENTS, `${name}.json`), "utf8"));

test("a valid batch reports no failures", async () => {
  assert.deepEqual(await app.handler(sample("all-valid")), { batchItemFailures: [] });
});

test("only the invalid message is reported", async () => {
  assert.deepEqual(await app.handler(sample("one-invalid")),
    { batchItemFailures: [{ itemIdentifier: "2e1424d4-f796-459a-8184-9c92662be6da" }] });
});

test("what is not an order", () => {
  for (const body of ["not json", "[]", '{"amount": 3}', '{"orderId": "x", "amount": true}', '{"orderId": "x"}']) {
    assert.throws(() => app.parseOrder(body), app.InvalidOrder, body);
  }
});
