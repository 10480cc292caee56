"""Unit tests of the Kinesis aggregation and its checkpointing failure report."""

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
    def test_readings_are_aggregated_per_sensor(self):
        result = app.handler(sample("readings"), None)
        self.assertEqual(result["batchItemFailures"], [])
        self.assertEqual(result["sensors"], {"s-1": {"count": 2, "total": 41.5}, "s-2": {"count": 1, "total": 18.0}})

    def test_the_first_bad_record_stops_the_batch(self):
        result = app.handler(sample("undecodable"), None)
        self.assertEqual(result["batchItemFailures"],
                         [{"itemIdentifier": "49590338271490256608559692538361571095921575989136588899"}])
        self.assertEqual(result["sensors"], {"s-1": {"count": 1, "total": 20.5}})  # the one before it


if __name__ == "__main__":
    unittest.main()
