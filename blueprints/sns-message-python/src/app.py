"""An SNS message handler: subject, message and attributes of each notification, routed by severity."""

import json
import os

SEVERITIES = ("debug", "info", "warning", "critical")


def read(record):
    sns = record["Sns"]
    attributes = {name: attribute.get("Value") for name, attribute in (sns.get("MessageAttributes") or {}).items()}
    severity = attributes.get("severity") or os.environ.get("DEFAULT_SEVERITY", "info")
    if severity not in SEVERITIES:
        # Retrying cannot fix this message; raising would only make Lambda retry it twice more.
        print(f"message {sns['MessageId']}: unknown severity {severity!r}, treated as info")
        severity = "info"
    try:
        message = json.loads(sns["Message"])
    except ValueError:
        message = sns["Message"]  # plain text is a message too
    return {"subject": sns.get("Subject"), "severity": severity, "message": message}


def handler(event, context):
    handled = [read(record) for record in event.get("Records", [])]
    for note in handled:
        print(f"[{note['severity']}] {note['subject']}")
    return {"handled": handled}
