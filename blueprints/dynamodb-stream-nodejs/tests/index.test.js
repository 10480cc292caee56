// Unit tests of the stream record reader: `node --test tests/`.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const app = require(path.join(__dirname, "..", "src", "index.js"));
// The sample events: beside the tests in the blueprint, in the project's events/<function>/ once created.
const inBlueprint = path.join(__dirname, "..", "events");
const EVENTS = fs.existsSync(inBlueprint) ? inBlueprint : path.join(__dirname, "..", "..", "events", path.basename(path.join(__dirname, "..")));
const sample = (name) => JSON.parse(fs.readFileSync(path.join(EVENTS, `${name}.json`), "utf8"));

test("insert, modify, remove", async () => {
  const result = await app.handler(sample("insert-modify-remove"));
  assert.deepEqual(result.changes.map((c) => c.event), ["INSERT", "MODIFY", "REMOVE"]);
  assert.deepEqual(result.changes[1].changed, ["count"]);
  assert.deepEqual(result.changes[0].item, { id: "101", name: "towel", count: 1 });
});

test("typed values become plain", () => {
  assert.deepEqual(app.plain({ M: { a: { N: "1.5" }, b: { L: [{ BOOL: true }, { NULL: true }] }, c: { NS: ["3", "1"] } } }),
    { a: 1.5, b: [true, null], c: [1, 3] });
});

test("an unreadable record is reported by sequence number", async () => {
  const event = sample("insert-modify-remove");
  event.Records[1].dynamodb.NewImage = { count: { X: "?" } };
  const result = await app.handler(event);
  assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: "222" }]);
  assert.equal(result.changes.length, 1);
});
