// A Kinesis stream processor: base64 JSON readings aggregated per sensor, with partial batch responses.
//
// Kinesis keeps records in order per shard, so a failure is reported by sequence number: Lambda checkpoints
// before the first failed record and retries from there.

function decode(record) {
  const data = record.kinesis.data;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) throw new Error("not base64");
  const reading = JSON.parse(Buffer.from(data, "base64").toString("utf8"));
  if (!reading || typeof reading.value !== "number") throw new Error('a reading is {"sensor": ..., "value": <number>}');
  return [String(reading.sensor ?? "unknown"), reading.value];
}

exports.handler = async (event) => {
  const sensors = {};
  for (const record of event.Records || []) {
    const sequence = record.kinesis.sequenceNumber;
    let sensor, value;
    try {
      [sensor, value] = decode(record);
    } catch (error) {
      console.log(`record ${sequence} cannot be decoded: ${error.message}`);
      // Everything from here on is retried, in order; later records are not processed in this batch.
      return { batchItemFailures: [{ itemIdentifier: sequence }], sensors };
    }
    const entry = (sensors[sensor] ??= { count: 0, total: 0 });
    entry.count += 1;
    entry.total += value;
  }
  return { batchItemFailures: [], sensors };
};
