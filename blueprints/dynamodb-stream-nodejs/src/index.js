// A DynamoDB stream processor: what changed in the table, as plain values.
//
// Stream images use DynamoDB's typed JSON ({"S": "x"}, {"N": "1"}, ...); `plain` turns them into ordinary
// values so the rest of the code does not have to know the format.

function plain(value) {
  const [[kind, inner]] = Object.entries(value);
  switch (kind) {
    case "S": case "B": return inner;
    case "N": return Number(inner);
    case "BOOL": return Boolean(inner);
    case "NULL": return null;
    case "L": return inner.map(plain);
    case "M": return Object.fromEntries(Object.entries(inner).map(([k, v]) => [k, plain(v)]));
    case "SS": case "BS": return [...inner].sort();
    case "NS": return inner.map(Number).sort((a, b) => a - b);
    default: throw new Error(`unknown attribute type ${kind}`);
  }
}
exports.plain = plain;

const image = (record, name) =>
  Object.fromEntries(Object.entries(record.dynamodb[name] || {}).map(([k, v]) => [k, plain(v)]));

function describe(record) {
  const change = { event: record.eventName, id: image(record, "Keys").id };
  if (record.eventName === "INSERT") change.item = image(record, "NewImage");
  if (record.eventName === "MODIFY") {
    const before = image(record, "OldImage"), after = image(record, "NewImage");
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    change.changed = [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
  }
  return change;
}

exports.handler = async (event) => {
  const changes = [];
  for (const record of event.Records || []) {
    try {
      changes.push(describe(record));
    } catch (error) {
      const sequence = record.dynamodb && record.dynamodb.SequenceNumber;
      console.log(`record ${sequence} cannot be read: ${error.message}`);
      return { batchItemFailures: [{ itemIdentifier: sequence }], changes };
    }
  }
  for (const change of changes) console.log(`${change.event} ${change.id}`);
  return { batchItemFailures: [], changes };
};
