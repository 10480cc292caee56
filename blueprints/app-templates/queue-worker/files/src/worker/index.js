// The order worker: each SQS message is a JSON order; an invalid one is reported in batchItemFailures so only
// it returns to the queue (and after three receives goes to the dead-letter queue).

// Which worker answered; change it, push, and watch the pipeline deploy it.
const WORKER = "order worker v1";

function parseOrder(body) {
  const order = JSON.parse(body);
  if (!order || typeof order.orderId !== "string" || typeof order.amount !== "number" || !(order.amount > 0)) {
    throw new Error('an order is {"orderId": "...", "amount": <positive number>}');
  }
  return order;
}
exports.parseOrder = parseOrder;

exports.handler = async (event) => {
  const batchItemFailures = [];
  let processed = 0;
  for (const record of event.Records || []) {
    try {
      const order = parseOrder(record.body);
      console.log(`order ${order.orderId}: ${order.amount}`);
      processed += 1;
    } catch (error) {
      console.log(`message ${record.messageId} failed: ${error.message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures, processed, worker: WORKER };
};
