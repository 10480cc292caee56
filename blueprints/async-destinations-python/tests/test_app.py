"""Unit tests of the order pricer."""

import json
import os
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


class OrderTest(unittest.TestCase):
    def setUp(self):
        os.environ["TAX_RATE"] = "0.2"

    def tearDown(self):
        del os.environ["TAX_RATE"]

    def test_a_valid_order_is_priced(self):
        self.assertEqual(app.handler(sample("valid-order"), None),
                         {"orderId": "A-1001", "net": 30.0, "tax": 6.0, "total": 36.0})

    def test_an_invalid_order_raises_for_the_retries_and_the_dlq(self):
        with self.assertRaises(app.InvalidOrderError):
            app.handler(sample("invalid-order"), None)
        with self.assertRaises(app.InvalidOrderError):
            app.handler({"orderId": "x", "lines": [{"quantity": 0, "unitPrice": 1}]}, None)


if __name__ == "__main__":
    unittest.main()
