// An SNS message handler: subject, message and attributes of each notification, routed by severity.

const SEVERITIES = ["debug", "info", "warning", "critical"];

function read(record) {
  const sns = record.Sns;
  const attributes = Object.fromEntries(Object.entries(sns.MessageAttributes || {}).map(([k, a]) => [k, a.Value]));
  let severity = attributes.severity || process.env.DEFAULT_SEVERITY || "info";
  if (!SEVERITIES.includes(severity)) {
    // Retrying cannot fix this message; throwing would only make Lambda retry it twice more.
    console.log(`message ${sns.MessageId}: unknown severity ${JSON.stringify(severity)}, treated as info`);
    severity = "info";
  }
  let message;
  try {
    message = JSON.parse(sns.Message);
  } catch {
    message = sns.Message; // plain text is a message too
  }
  return { subject: sns.Subject, severity, message };
}

exports.handler = async (event) => {
  const handled = (event.Records || []).map(read);
  for (const note of handled) console.log(`[${note.severity}] ${note.subject}`);
  return { handled };
};
