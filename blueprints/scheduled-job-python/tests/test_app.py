"""Unit tests of the scheduled window."""

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


class ScheduleTest(unittest.TestCase):
    def test_a_run_covers_the_previous_hour(self):
        expected = {"start": "2024-04-09T11:00:00Z", "end": "2024-04-09T12:00:00Z"}
        self.assertEqual(app.handler(sample("on-the-hour"), None)["window"], expected)
        self.assertEqual(app.handler(sample("late-run"), None)["window"], expected)

    def test_other_events_are_refused(self):
        with self.assertRaises(ValueError):
            app.handler({"detail-type": "Object Created"}, None)


if __name__ == "__main__":
    unittest.main()
