"""Unit tests with a stand-in for the two S3 client methods the function calls."""

import io
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


class StubS3:
    def __init__(self, objects):
        self.objects = dict(objects)

    def get_object(self, Bucket, Key):
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}

    def put_object(self, Bucket, Key, Body, ContentType):
        self.objects[(Bucket, Key)] = Body


def sample(name):
    return json.loads((EVENTS / f"{name}.json").read_text())


class ProcessingTest(unittest.TestCase):
    def tearDown(self):
        app._s3 = None

    def test_summarises_the_decoded_key_and_writes_the_summary(self):
        stub = app._s3 = StubS3({("uploads", "notes/hello world.txt"): b"one two\nthree four five\n"})
        result = app.handler(sample("object-created"), None)
        self.assertEqual((result["processed"], result["skipped"]), (1, 0))
        written = json.loads(stub.objects[("uploads", "processed/notes/hello world.txt.json")])
        self.assertEqual((written["bytes"], written["lines"], written["words"]), (24, 2, 5))

    def test_own_output_is_skipped_without_s3(self):
        result = app.handler(sample("already-processed"), None)
        self.assertEqual(result, {"processed": 0, "skipped": 1, "summaries": []})
        self.assertIsNone(app._s3)


if __name__ == "__main__":
    unittest.main()
