"""Unit tests of the aggregator. Run: python -m unittest discover -s tests"""

import base64
import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src" / "aggregator"))

import app  # noqa: E402


def record(sequence, data):
    return {"kinesis": {"sequenceNumber": sequence, "data": data}}


def reading(sensor, value):
    return base64.b64encode(json.dumps({"sensor": sensor, "value": value}).encode()).decode()


class AggregatorTest(unittest.TestCase):
    def test_readings_are_aggregated(self):
        result = app.handler({"Records": [record("1", reading("a", 1)), record("2", reading("a", 2.5))]}, None)
        self.assertEqual(result["sensors"], {"a": {"count": 2, "total": 3.5}})
        self.assertEqual(result["batchItemFailures"], [])

    def test_the_first_bad_record_is_reported(self):
        result = app.handler({"Records": [record("1", reading("a", 1)), record("2", "%%%")]}, None)
        self.assertEqual(result["batchItemFailures"], [{"itemIdentifier": "2"}])


if __name__ == "__main__":
    unittest.main()
