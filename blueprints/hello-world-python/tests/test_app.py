"""Unit tests of the handler, runnable with `python -m pytest` or `python -m unittest` from the folder above."""

import os
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import app  # noqa: E402


class HandlerTest(unittest.TestCase):
    def test_greets_the_name_in_the_event(self):
        os.environ["GREETING"] = "Hi"
        try:
            self.assertEqual(app.handler({"name": "Ada"}, None), {"message": "Hi, Ada!"})
        finally:
            del os.environ["GREETING"]

    def test_greets_the_world_by_default(self):
        self.assertEqual(app.handler({}, None), {"message": "Hello, world!"})

    def test_counts_invocations_of_the_environment(self):
        before = app.INVOCATIONS["count"]
        app.handler({}, None)
        self.assertEqual(app.INVOCATIONS["count"], before + 1)


if __name__ == "__main__":
    unittest.main()
