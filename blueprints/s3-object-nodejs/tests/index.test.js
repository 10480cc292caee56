// Unit tests with stand-ins for the two S3 operations: `node --test tests/`.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const app = require(path.join(__dirname, "..", "src", "index.js"));
// The sample events: beside the tests in the blueprint, in the project's events/<function>/ once created.
const inBlueprint = path.join(__dirname, "..", "events");
const EVENTS = fs.existsSync(inBlueprint) ? inBlueprint : path.join(__dirname, "..", "..", "events", path.basename(path.join(__dirname, "..")));
const sample = (name) => JSON.parse(fs.readFileSync(path.join(EVENTS, `${name}.json`), "utf8"));

test("summarises the decoded key and writes the summary", async () => {
  const objects = new Map([["uploads/notes/hello world.txt", Buffer.from("one two\nthree four five\n")]]);
  app.storage.read = async (bucket, key) => objects.get(`${bucket}/${key}`);
  app.storage.write = async (bucket, key, body) => { objects.set(`${bucket}/${key}`, body); };
  const result = await app.handler(sample("object-created"));
  assert.equal(result.processed, 1);
  const written = JSON.parse(objects.get("uploads/processed/notes/hello world.txt.json"));
  assert.deepEqual([written.bytes, written.lines, written.words], [24, 2, 5]);
});

test("its own output is skipped without touching S3", async () => {
  app.storage.read = async () => assert.fail("S3 must not be read");
  assert.deepEqual(await app.handler(sample("already-processed")), { processed: 0, skipped: 1, summaries: [] });
});
