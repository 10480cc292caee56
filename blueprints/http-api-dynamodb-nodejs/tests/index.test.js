// Unit tests of the routes, with stand-ins for the four table operations: `node --test tests/`.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const app = require(path.join(__dirname, "..", "src", "index.js"));
// The sample events: beside the tests in the blueprint, in the project's events/<function>/ once created.
const inBlueprint = path.join(__dirname, "..", "events");
const EVENTS = fs.existsSync(inBlueprint) ? inBlueprint : path.join(__dirname, "..", "..", "events", path.basename(path.join(__dirname, "..")));
const sample = (name) => JSON.parse(fs.readFileSync(path.join(EVENTS, `${name}.json`), "utf8"));

function stubStore() {
  const items = new Map();
  app.store.get = async (id) => items.get(id) || null;
  app.store.put = async (item) => { items.set(item.id, item); };
  app.store.scan = async () => [...items.values()];
  app.store.remove = async (id) => { items.delete(id); };
  return items;
}

test("put, get, list and delete an item", async () => {
  const items = stubStore();
  assert.equal((await app.handler(sample("put-item"))).statusCode, 201);
  const got = await app.handler(sample("get-item"));
  assert.equal(got.statusCode, 200);
  assert.equal(JSON.parse(got.body).name, "towel");
  const listed = await app.handler({ httpMethod: "GET", pathParameters: null });
  assert.equal(JSON.parse(listed.body).items.length, 1);
  assert.equal((await app.handler({ httpMethod: "DELETE", pathParameters: { id: "42" } })).statusCode, 204);
  assert.equal(items.size, 0);
});

test("a missing item is 404", async () => {
  stubStore();
  assert.equal((await app.handler(sample("get-item"))).statusCode, 404);
});

test("bad JSON is 400, a body without id is 400", async () => {
  stubStore();
  assert.equal((await app.handler(sample("bad-json"))).statusCode, 400);
  assert.equal((await app.handler({ httpMethod: "PUT", body: '{"name": "x"}' })).statusCode, 400);
});

test("other methods are 405", async () => {
  assert.equal((await app.handler(sample("method-not-allowed"))).statusCode, 405);
});
