// An asynchronous order pricer. Its return value becomes the OnSuccess destination's responsePayload; an
// error it throws is retried (MaximumRetryAttempts) and then sent to OnFailure and the dead-letter queue.

class InvalidOrderError extends Error {
  constructor(message) {
    super(message);
    this.name = "InvalidOrderError"; // the errorType Lambda reports
  }
}
exports.InvalidOrderError = InvalidOrderError;

const cents = (value) => Math.round(value * 100) / 100;

exports.handler = async (event) => {
  const { orderId, lines } = event || {};
  if (!orderId || !Array.isArray(lines) || lines.length === 0) {
    throw new InvalidOrderError('an order needs an "orderId" and a non-empty list of "lines"');
  }
  let net = 0;
  for (const line of lines) {
    const { quantity, unitPrice } = line;
    if (!Number.isInteger(quantity) || quantity <= 0 || typeof unitPrice !== "number" || unitPrice < 0) {
      throw new InvalidOrderError(`order ${orderId}: bad line ${JSON.stringify(line)}`);
    }
    net += quantity * unitPrice;
  }
  const tax = cents(net * Number(process.env.TAX_RATE || "0"));
  console.log(`order ${orderId}: net ${net.toFixed(2)}, tax ${tax.toFixed(2)}`);
  return { orderId, net: cents(net), tax, total: cents(net + tax) };
};
