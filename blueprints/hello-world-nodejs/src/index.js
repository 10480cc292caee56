// Hello world: the event's "name" greeted with the GREETING environment variable.

// Runs once per execution environment (a cold start); warm invocations reuse it.
const invocations = { count: 0 };

exports.invocations = invocations;

exports.handler = async (event) => {
  invocations.count += 1;
  const name = event && typeof event.name === "string" ? event.name : "world";
  const greeting = process.env.GREETING || "Hello";
  console.log(`invocation ${invocations.count} of this environment greets ${JSON.stringify(name)}`);
  return { message: `${greeting}, ${name}!` };
};
