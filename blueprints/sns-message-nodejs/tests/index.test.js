// Unit tests of the SNS message reader: `node --test tests/`.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const app = require(path.join(__dirname, "..", "src", "index.js"));
// The sample events: beside the tests in the blueprint, in the project's events/<function>/ once created.
const inBlueprint = path.join(__dirname, "..", "events");
const EVENTS = fs.existsSync(inBlueprint) ? inBlueprint : path.join(__dirname, "..", "..", "events", path.basename(path.join(__dirname, "..")));
const sample = (name) => JSON.parse(fs.readFileSync(path.join(EVENTS, `${name}.json`), "utf8"));

test("a JSON message with a severity", async () => {
  assert.deepEqual((await app.handler(sample("alert"))).handled,
    [{ subject: "Disk almost full", severity: "critical", message: { host: "web-1", used: 0.97 } }]);
});

test("plain text gets the default severity", async () => {
  assert.equal((await app.handler(sample("plain-text"))).handled[0].severity, "info");
});

test("an unknown severity is not retried", async () => {
  const event = sample("alert");
  event.Records[0].Sns.MessageAttributes.severity.Value = "apocalyptic";
  assert.equal((await app.handler(event)).handled[0].severity, "info");
});
