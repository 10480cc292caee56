// Unit tests of the routes: `node --test tests/`. Those that reach the table run against a real DynamoDB:
// the workbench's local services (start `workbench serve` and export AWS_ENDPOINT_URL=<the URL it prints>),
// where they make a table of their own and delete it after. They need the AWS SDK for JavaScript v3 (Lambda's
// Node.js runtimes carry it; here: `workbench sdk build`, then NODE_PATH=<its node_modules>). Without an
// endpoint or the SDK they are skipped, saying why.
const { describe, test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const app = require(path.join(__dirname, "..", "src", "index.js"));
// The sample events: beside the tests in the blueprint, in the project's events/<function>/ once created.
const inBlueprint = path.join(__dirname, "..", "events");
const EVENTS = fs.existsSync(inBlueprint) ? inBlueprint : path.join(__dirname, "..", "..", "events", path.basename(path.join(__dirname, "..")));
const sample = (name) => JSON.parse(fs.readFileSync(path.join(EVENTS, `${name}.json`), "utf8"));

function dynamodbSdk() {
  try {
    return require("@aws-sdk/client-dynamodb");
  } catch {
    return null;
  }
}

const sdk = dynamodbSdk();
const skip = !process.env.AWS_ENDPOINT_URL
  ? "needs DynamoDB: run `workbench serve` and export AWS_ENDPOINT_URL=<its URL> (the local services answer there)"
  : !sdk ? "needs the AWS SDK for JavaScript v3 (`workbench sdk build`, then NODE_PATH=<its node_modules>)" : false;

describe("with a real table", { skip }, () => {
  const table = `items-test-${crypto.randomBytes(6).toString("hex")}`;
  let client;
  let previous;

  before(async () => {
    // Local services take any credentials; real ones in the environment win.
    process.env.AWS_ACCESS_KEY_ID ||= "test";
    process.env.AWS_SECRET_ACCESS_KEY ||= "test";
    process.env.AWS_REGION ||= "us-east-1";
    client = new sdk.DynamoDBClient({});
    await client.send(new sdk.CreateTableCommand({
      TableName: table, BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
    }));
    await sdk.waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: table });
    previous = process.env.TABLE_NAME;
    process.env.TABLE_NAME = table;
  });

  after(async () => {
    if (previous === undefined) delete process.env.TABLE_NAME;
    else process.env.TABLE_NAME = previous;
    await client.send(new sdk.DeleteTableCommand({ TableName: table }));
    client.destroy();
  });

  const stored = async () =>
    ((await client.send(new sdk.ScanCommand({ TableName: table }))).Items || []).map((item) => item.id.S);

  test("put, get, list and delete an item", async () => {
    assert.equal((await app.handler(sample("put-item"))).statusCode, 201);
    assert.deepEqual(await stored(), ["42"]);
    const got = await app.handler(sample("get-item"));
    assert.equal(got.statusCode, 200);
    assert.equal(JSON.parse(got.body).name, "towel");
    const listed = await app.handler({ httpMethod: "GET", pathParameters: null });
    assert.deepEqual(JSON.parse(listed.body).items.map((item) => item.id), ["42"]);
    assert.equal((await app.handler({ httpMethod: "DELETE", pathParameters: { id: "42" } })).statusCode, 204);
    assert.deepEqual(await stored(), []);
  });

  test("a missing item is 404", async () => {
    const missing = { ...sample("get-item"), pathParameters: { id: "not-there" } };
    assert.equal((await app.handler(missing)).statusCode, 404);
  });
});

test("bad JSON is 400, a body without id is 400", async () => {
  assert.equal((await app.handler(sample("bad-json"))).statusCode, 400);
  assert.equal((await app.handler({ httpMethod: "PUT", body: '{"name": "x"}' })).statusCode, 400);
});

test("other methods are 405", async () => {
  assert.equal((await app.handler(sample("method-not-allowed"))).statusCode, 405);
});
