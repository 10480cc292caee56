// S3 object processing: a summary (bytes, lines, words) of every created object, written beside it.
//
// S3 is reached through the AWS SDK for JavaScript v3 (part of Lambda's Node.js runtimes), which reads the
// endpoint from AWS_ENDPOINT_URL when the workbench's local services are running. It is loaded on first use,
// so an event with nothing to process needs no S3 at all.

let client = null;

function sdk() {
  const s3 = require("@aws-sdk/client-s3");
  if (client === null) client = new s3.S3Client({ forcePathStyle: true });
  return { client, s3 };
}

// The two S3 operations the function uses.
const storage = {
  async read(bucket, key) {
    const { client, s3 } = sdk();
    const out = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await out.Body.transformToByteArray());
  },
  async write(bucket, key, body) {
    const { client, s3 } = sdk();
    await client.send(new s3.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "application/json" }));
  },
};

function summarise(body) {
  const text = body.toString("utf8");
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  const words = text.split(/\s+/).filter(Boolean);
  return { bytes: body.length, lines: lines.length, words: words.length };
}

exports.handler = async (event) => {
  const prefix = process.env.OUTPUT_PREFIX || "processed/";
  const summaries = [];
  let skipped = 0;
  for (const record of event.Records || []) {
    const bucket = record.s3.bucket.name;
    // Keys are URL-encoded in the event ("my+file.txt" is "my file.txt").
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    if (key.startsWith(prefix)) {
      skipped += 1; // our own output: processing it would trigger this function again, forever
      continue;
    }
    const summary = { bucket, key, ...summarise(await storage.read(bucket, key)) };
    await storage.write(bucket, `${prefix}${key}.json`, JSON.stringify(summary));
    summaries.push(summary);
  }
  console.log(`processed ${summaries.length} object(s), skipped ${skipped}`);
  return { processed: summaries.length, skipped, summaries };
};
