"""Aggregates base64 JSON readings {"sensor", "value"} per sensor; reports the first undecodable record by
sequence number so Lambda retries from there, in order."""

import base64
import binascii
import json

#: Which aggregation answered; change it, push, and watch the pipeline deploy it.
AGGREGATOR = "aggregator v1"


def decode(record):
    reading = json.loads(base64.b64decode(record["kinesis"]["data"], validate=True))
    if not isinstance(reading, dict) or not isinstance(reading.get("value"), (int, float)):
        raise ValueError('a reading is {"sensor": ..., "value": <number>}')
    return str(reading.get("sensor", "unknown")), float(reading["value"])


def handler(event, context):
    sensors = {}
    for record in event.get("Records", []):
        try:
            sensor, value = decode(record)
        except (binascii.Error, ValueError) as exc:
            print(f"record {record['kinesis']['sequenceNumber']} cannot be decoded: {exc}")
            return {"batchItemFailures": [{"itemIdentifier": record["kinesis"]["sequenceNumber"]}],
                    "sensors": sensors, "aggregator": AGGREGATOR}
        entry = sensors.setdefault(sensor, {"count": 0, "total": 0.0})
        entry["count"] += 1
        entry["total"] += value
    return {"batchItemFailures": [], "sensors": sensors, "aggregator": AGGREGATOR}
