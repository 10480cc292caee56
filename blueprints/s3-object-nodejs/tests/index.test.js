// Unit tests of the processing: `node --test tests/`. The one that reads and writes objects runs against a
// real S3: the workbench's local services (start `workbench serve` and export AWS_ENDPOINT_URL=<the URL it
// prints>), in a bucket the test makes and empties after. It needs the AWS SDK for JavaScript v3 (Lambda's
// Node.js runtimes carry it; here: `workbench sdk build`, then NODE_PATH=<its node_modules>). Without an
// endpoint or the SDK it is skipped, saying why.
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

function s3Sdk() {
  try {
    return require("@aws-sdk/client-s3");
  } catch {
    return null;
  }
}

const sdk = s3Sdk();
const skip = !process.env.AWS_ENDPOINT_URL
  ? "needs S3: run `workbench serve` and export AWS_ENDPOINT_URL=<its URL> (the local services answer there)"
  : !sdk ? "needs the AWS SDK for JavaScript v3 (`workbench sdk build`, then NODE_PATH=<its node_modules>)" : false;

describe("with a real bucket", { skip }, () => {
  const bucket = `uploads-test-${crypto.randomBytes(6).toString("hex")}`;
  let client;

  before(async () => {
    // Local services take any credentials; real ones in the environment win.
    process.env.AWS_ACCESS_KEY_ID ||= "test";
    process.env.AWS_SECRET_ACCESS_KEY ||= "test";
    process.env.AWS_REGION ||= "us-east-1";
    client = new sdk.S3Client({ forcePathStyle: true });
    await client.send(new sdk.CreateBucketCommand({ Bucket: bucket }));
  });

  after(async () => {
    const listed = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket }));
    for (const item of listed.Contents || []) {
      await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: item.Key }));
    }
    await client.send(new sdk.DeleteBucketCommand({ Bucket: bucket }));
    client.destroy();
  });

  test("summarises the decoded key and writes the summary", async () => {
    await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: "notes/hello world.txt",
      Body: "one two\nthree four five\n" }));
    const event = sample("object-created");
    for (const record of event.Records) { // the sample's bucket is this test's
      record.s3.bucket.name = bucket;
      record.s3.bucket.arn = `arn:aws:s3:::${bucket}`;
    }
    const result = await app.handler(event);
    assert.deepEqual([result.processed, result.skipped], [1, 0]);
    const written = await client.send(new sdk.GetObjectCommand({ Bucket: bucket,
      Key: "processed/notes/hello world.txt.json" }));
    const summary = JSON.parse(await written.Body.transformToString());
    assert.deepEqual([summary.bytes, summary.lines, summary.words], [24, 2, 5]);
    assert.equal(written.ContentType, "application/json");
  });
});

test("its own output is skipped without touching S3", async () => {
  assert.deepEqual(await app.handler(sample("already-processed")), { processed: 0, skipped: 1, summaries: [] });
});
