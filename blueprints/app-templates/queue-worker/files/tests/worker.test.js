// Unit tests of the order worker: node --test tests/worker.test.js
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const worker = require(path.join(__dirname, "..", "src", "worker", "index.js"));

const message = (messageId, body) => ({ messageId, body });

test("valid orders are processed", async () => {
  const result = await worker.handler({ Records: [message("a", '{"orderId": "1", "amount": 3}')] });
  assert.deepEqual(result.batchItemFailures, []);
  assert.equal(result.processed, 1);
});

test("only the invalid message is reported", async () => {
  const result = await worker.handler({ Records: [message("a", '{"orderId": "1", "amount": 3}'), message("b", "{")] });
  assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: "b" }]);
});
