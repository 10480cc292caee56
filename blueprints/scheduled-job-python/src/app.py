"""A scheduled job: the window an hourly run covers comes from the event's time, not from the clock, so a
run that starts late (or is retried) still covers the hour it was scheduled for."""

import os
from datetime import datetime, timedelta, timezone

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def window(scheduled_time):
    when = datetime.strptime(scheduled_time, FORMAT).replace(tzinfo=timezone.utc)
    end = when.replace(minute=0, second=0, microsecond=0)
    return end - timedelta(hours=1), end


def handler(event, context):
    if event.get("detail-type") != "Scheduled Event":
        raise ValueError(f"expected an EventBridge Scheduled Event, got {event.get('detail-type')!r}")
    start, end = window(event["time"])
    job = os.environ.get("JOB_NAME", "job")
    # The job's work for [start, end) goes here: aggregate, export, clean up...
    print(f"{job}: covering {start:%H:%M} to {end:%H:%M} UTC (rule {event.get('resources', ['?'])[0]})")
    return {"job": job, "window": {"start": start.strftime(FORMAT), "end": end.strftime(FORMAT)}}
