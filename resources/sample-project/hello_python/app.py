"""A sample function: shows that init code runs once per environment and the rest on every invocation.

The lessons use it for failures too: ``{"fail": "why"}`` raises (asynchronous retries), and a batch from a
queue or a stream is processed record by record: a record saying "bad" is reported as failed (SQS partial
batch response), one saying "poison" fails the whole batch (a stream then bisects it)."""

import base64
import os
import time
import uuid

ENVIRONMENT_ID = uuid.uuid4().hex[:8]  # init code: runs once per execution environment
invocations = 0


def records(batch):
    failed = []
    for record in batch:
        stream = record.get("kinesis")
        body = base64.b64decode(stream["data"]).decode() if stream else str(record.get("body", ""))
        item = stream["sequenceNumber"] if stream else record.get("messageId")
        if "poison" in body:
            raise ValueError(f"poison record {item}")
        if "bad" in body:
            failed.append({"itemIdentifier": item})
    print(f"batch of {len(batch)} records, {len(failed)} failed")
    return {"batchItemFailures": failed}


def handler(event, context):
    global invocations
    invocations += 1
    if isinstance(event, dict) and isinstance(event.get("Records"), list):
        return records(event["Records"])
    delay = float(event.get("sleep_ms", 0)) / 1000 if isinstance(event, dict) else 0
    if delay:
        time.sleep(delay)
    if isinstance(event, dict) and event.get("fail"):
        raise RuntimeError(f"asked to fail: {event['fail']}")
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    print(f"serving request {context.aws_request_id} in environment {ENVIRONMENT_ID}")
    return {
        "message": f"{os.environ.get('GREETING', 'Hello')}, {name}!",
        "environment": ENVIRONMENT_ID,
        "invocations_here": invocations,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
