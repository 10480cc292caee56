"""A sample function: shows that init code runs once per environment and the rest on every invocation."""

import os
import time
import uuid

ENVIRONMENT_ID = uuid.uuid4().hex[:8]  # init code: runs once per execution environment
invocations = 0


def handler(event, context):
    global invocations
    invocations += 1
    delay = float(event.get("sleep_ms", 0)) / 1000 if isinstance(event, dict) else 0
    if delay:
        time.sleep(delay)
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    print(f"serving request {context.aws_request_id} in environment {ENVIRONMENT_ID}")
    return {
        "message": f"{os.environ.get('GREETING', 'Hello')}, {name}!",
        "environment": ENVIRONMENT_ID,
        "invocations_here": invocations,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
