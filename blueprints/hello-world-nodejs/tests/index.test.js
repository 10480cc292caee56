// Unit tests of the handler: `node --test tests/` from the folder above.
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const app = require(path.join(__dirname, "..", "src", "index.js"));

test("greets the name in the event", async () => {
  process.env.GREETING = "Hi";
  try {
    assert.deepEqual(await app.handler({ name: "Ada" }), { message: "Hi, Ada!" });
  } finally {
    delete process.env.GREETING;
  }
});

test("greets the world by default", async () => {
  assert.deepEqual(await app.handler({}), { message: "Hello, world!" });
});

test("counts invocations of the environment", async () => {
  const before = app.invocations.count;
  await app.handler({});
  assert.equal(app.invocations.count, before + 1);
});
