"""A Kinesis stream processor: base64 JSON readings aggregated per sensor, with partial batch responses.

Kinesis keeps records in order per shard, so a failure is reported by sequence number: Lambda checkpoints
before the first failed record and retries from there.
"""

import base64
import binascii
import json


def decode(record):
    data = base64.b64decode(record["kinesis"]["data"], validate=True)
    reading = json.loads(data)
    if not isinstance(reading, dict) or not isinstance(reading.get("value"), (int, float)):
        raise ValueError('a reading is {"sensor": ..., "value": <number>}')
    return str(reading.get("sensor", "unknown")), float(reading["value"])


def handler(event, context):
    sensors = {}
    for record in event.get("Records", []):
        sequence = record["kinesis"]["sequenceNumber"]
        try:
            sensor, value = decode(record)
        except (binascii.Error, ValueError) as exc:
            print(f"record {sequence} cannot be decoded: {exc}")
            # Everything from here on is retried, in order; later records are not processed in this batch.
            return {"batchItemFailures": [{"itemIdentifier": sequence}], "sensors": sensors}
        entry = sensors.setdefault(sensor, {"count": 0, "total": 0.0})
        entry["count"] += 1
        entry["total"] += value
    print(f"aggregated {sum(e['count'] for e in sensors.values())} reading(s) from {len(sensors)} sensor(s)")
    return {"batchItemFailures": [], "sensors": sensors}
