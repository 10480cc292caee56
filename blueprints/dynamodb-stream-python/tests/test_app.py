"""Unit tests of the stream record reader."""

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


class StreamTest(unittest.TestCase):
    def test_insert_modify_remove(self):
        result = app.handler(sample("insert-modify-remove"), None)
        self.assertEqual(result["batchItemFailures"], [])
        self.assertEqual([c["event"] for c in result["changes"]], ["INSERT", "MODIFY", "REMOVE"])
        self.assertEqual(result["changes"][1]["changed"], ["count"])

    def test_typed_values_become_plain(self):
        self.assertEqual(app.plain({"M": {"a": {"N": "1.5"}, "b": {"L": [{"BOOL": True}, {"NULL": True}]},
                                          "c": {"NS": ["3", "1"]}}}), {"a": 1.5, "b": [True, None], "c": [1, 3]})

    def test_an_unreadable_record_is_reported_by_sequence_number(self):
        event = sample("insert-modify-remove")
        event["Records"][1]["dynamodb"]["NewImage"] = {"count": {"X": "?"}}
        result = app.handler(event, None)
        self.assertEqual(result["batchItemFailures"], [{"itemIdentifier": "222"}])
        self.assertEqual(len(result["changes"]), 1)


if __name__ == "__main__":
    unittest.main()
