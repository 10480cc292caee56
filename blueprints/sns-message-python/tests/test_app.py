"""Unit tests of the SNS message reader."""

import json
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
# The sample events: beside the tests in the blueprint, in the project's events/<function>/ once created.
EVENTS = HERE.parent / "events"
if not EVENTS.is_dir():
    EVENTS = HERE.parent.parent / "events" / HERE.parent.name

import app  # noqa: E402


def sample(name):
    return json.loads((EVENTS / f"{name}.json").read_text())


class MessageTest(unittest.TestCase):
    def test_json_message_with_severity(self):
        handled = app.handler(sample("alert"), None)["handled"]
        self.assertEqual(handled, [{"subject": "Disk almost full", "severity": "critical",
                                    "message": {"host": "web-1", "used": 0.97}}])

    def test_plain_text_gets_the_default_severity(self):
        self.assertEqual(app.handler(sample("plain-text"), None)["handled"][0]["severity"], "info")

    def test_unknown_severity_is_not_retried(self):
        event = sample("alert")
        event["Records"][0]["Sns"]["MessageAttributes"]["severity"]["Value"] = "apocalyptic"
        self.assertEqual(app.handler(event, None)["handled"][0]["severity"], "info")


if __name__ == "__main__":
    unittest.main()
