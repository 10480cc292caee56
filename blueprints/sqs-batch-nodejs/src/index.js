// An SQS batch processor that reports partial batch failures (ReportBatchItemFailures).
//
// Without a partial response, one bad message makes Lambda return the whole batch to the queue, and the good
// messages are processed again. With it, only the messages named in batchItemFailures come back.

class InvalidOrder extends Error {}
exports.InvalidOrder = InvalidOrder;

function parseOrder(body) {
  let order;
  try {
    order = JSON.parse(body);
  } catch (error) {
    throw new InvalidOrder(`not JSON: ${error.message}`);
  }
  if (!order || typeof order !== "object" || Array.isArray(order) || !order.orderId) {
    throw new InvalidOrder('no "orderId"');
  }
  if (typeof order.amount !== "number" || !(order.amount > 0)) {
    throw new InvalidOrder(`"amount" must be a positive number (got ${JSON.stringify(order.amount)})`);
  }
  return order;
}
exports.parseOrder = parseOrder;

exports.handler = async (event) => {
  const records = event.Records || [];
  const batchItemFailures = [];
  let total = 0;
  for (const record of records) {
    let order;
    try {
      order = parseOrder(record.body);
    } catch (error) {
      if (!(error instanceof InvalidOrder)) throw error;
      console.log(`message ${record.messageId} failed: ${error.message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    total += order.amount;
    console.log(`order ${order.orderId}: ${order.amount}`);
  }
  console.log(`processed ${records.length - batchItemFailures.length} order(s) worth ${total.toFixed(2)}`);
  return { batchItemFailures };
};
