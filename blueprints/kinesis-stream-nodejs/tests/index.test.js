// Unit tests of the Kinesis aggregation and its checkpointing failure report: `node --test tests/`.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const app = require(path.join(__dirname, "..", "src", "index.js"));
// The sample events: beside the tests in the blueprint, in the project's events/<function>/ once created.
const inBlueprint = path.join(__dirname, "..", "events");
const EVENTS = fs.existsSync(inBlueprint) ? inBlueprint : path.join(__dirname, "..", "..", "events", path.basename(path.join(__dirname, "..")));
const sample = (name) => JSON.parse(fs.readFileSync(path.join(EVENTS, `${name}.json`), "utf8"));

test("readings are aggregated per sensor", async () => {
  assert.deepEqual(await app.handler(sample("readings")),
    { batchItemFailures: [], sensors: { "s-1": { count: 2, total: 41.5 }, "s-2": { count: 1, total: 18 } } });
});

test("the first bad record stops the batch", async () => {
  const result = await app.handler(sample("undecodable"));
  assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: "49590338271490256608559692538361571095921575989136588899" }]);
  assert.deepEqual(result.sensors, { "s-1": { count: 1, total: 20.5 } });
});
