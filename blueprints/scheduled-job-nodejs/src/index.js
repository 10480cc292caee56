// A scheduled job: the window an hourly run covers comes from the event's time, not from the clock, so a
// run that starts late (or is retried) still covers the hour it was scheduled for.

const iso = (date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

function window(scheduledTime) {
  const end = new Date(scheduledTime);
  if (Number.isNaN(end.getTime())) throw new Error(`not a time: ${scheduledTime}`);
  end.setUTCMinutes(0, 0, 0);
  return { start: iso(new Date(end.getTime() - 3600 * 1000)), end: iso(end) };
}
exports.window = window;

exports.handler = async (event) => {
  if (event["detail-type"] !== "Scheduled Event") {
    throw new Error(`expected an EventBridge Scheduled Event, got ${JSON.stringify(event["detail-type"])}`);
  }
  const job = process.env.JOB_NAME || "job";
  const covered = window(event.time);
  // The job's work for [start, end) goes here: aggregate, export, clean up...
  console.log(`${job}: covering ${covered.start} to ${covered.end} (rule ${(event.resources || ["?"])[0]})`);
  return { job, window: covered };
};
