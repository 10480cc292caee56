// A sample function: init code runs once per environment, the handler on every invocation.
const crypto = require("node:crypto");

const environmentId = crypto.randomUUID().slice(0, 8);
let invocations = 0;

exports.handler = async (event, context) => {
  invocations += 1;
  const delay = Number((event && event.sleep_ms) || 0);
  if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
  console.log(`serving request ${context.awsRequestId} in environment ${environmentId}`);
  return {
    message: `Hello, ${(event && event.name) || "world"}!`,
    environment: environmentId,
    invocationsHere: invocations,
    remainingMs: context.getRemainingTimeInMillis(),
  };
};
