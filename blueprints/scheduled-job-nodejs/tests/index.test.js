// Unit tests of the scheduled window: `node --test tests/`.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const app = require(path.join(__dirname, "..", "src", "index.js"));
// The sample events: beside the tests in the blueprint, in the project's events/<function>/ once created.
const inBlueprint = path.join(__dirname, "..", "events");
const EVENTS = fs.existsSync(inBlueprint) ? inBlueprint : path.join(__dirname, "..", "..", "events", path.basename(path.join(__dirname, "..")));
const sample = (name) => JSON.parse(fs.readFileSync(path.join(EVENTS, `${name}.json`), "utf8"));

test("a run covers the previous hour, also when late", async () => {
  const expected = { start: "2024-04-09T11:00:00Z", end: "2024-04-09T12:00:00Z" };
  assert.deepEqual((await app.handler(sample("on-the-hour"))).window, expected);
  assert.deepEqual((await app.handler(sample("late-run"))).window, expected);
});

test("other events are refused", async () => {
  await assert.rejects(app.handler({ "detail-type": "Object Created" }));
});
