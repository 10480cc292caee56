"""Unit tests of the partial batch response."""

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


class BatchTest(unittest.TestCase):
    def test_a_valid_batch_reports_no_failures(self):
        self.assertEqual(app.handler(sample("all-valid"), None), {"batchItemFailures": []})

    def test_only_the_invalid_message_is_reported(self):
        result = app.handler(sample("one-invalid"), None)
        self.assertEqual(result, {"batchItemFailures": [{"itemIdentifier": "2e1424d4-f796-459a-8184-9c92662be6da"}]})

    def test_what_is_not_an_order(self):
        for body in ("not json", "[]", '{"amount": 3}', '{"orderId": "x", "amount": true}', '{"orderId": "x"}'):
            with self.subTest(body=body), self.assertRaises(app.InvalidOrder):
                app.parse_order(body)


if __name__ == "__main__":
    unittest.main()
