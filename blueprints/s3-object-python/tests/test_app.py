"""Unit tests of the processing. The one that reads and writes objects runs against a real S3: the
workbench's local services (start `workbench serve` and export AWS_ENDPOINT_URL=<the URL it prints>), in a
bucket the test makes and empties after. Without an endpoint it is skipped, saying why.

Run: python -m unittest discover -s tests
"""

import json
import os
import sys
import unittest
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
# The sample events: beside the tests in the blueprint, in the project's events/<function>/ once created.
EVENTS = HERE.parent / "events"
if not EVENTS.is_dir():
    EVENTS = HERE.parent.parent / "events" / HERE.parent.name

import app  # noqa: E402

ENDPOINT = os.environ.get("AWS_ENDPOINT_URL")
NO_ENDPOINT = ("needs S3: run `workbench serve` and export AWS_ENDPOINT_URL=<its URL> "
               "(the local services answer there)")


def sample(name):
    return json.loads((EVENTS / f"{name}.json").read_text())


@unittest.skipUnless(ENDPOINT, NO_ENDPOINT)
class BucketTest(unittest.TestCase):
    """The function's own boto3 code against a bucket made for the test."""

    @classmethod
    def setUpClass(cls):
        import boto3

        # Local services take any credentials; real ones in the environment win.
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
        os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", "us-east-1"))
        cls.s3 = boto3.client("s3")
        cls.bucket = f"uploads-test-{uuid.uuid4().hex[:12]}"
        cls.s3.create_bucket(Bucket=cls.bucket)

    @classmethod
    def tearDownClass(cls):
        for page in cls.s3.get_paginator("list_objects_v2").paginate(Bucket=cls.bucket):
            for item in page.get("Contents", []):
                cls.s3.delete_object(Bucket=cls.bucket, Key=item["Key"])
        cls.s3.delete_bucket(Bucket=cls.bucket)

    def setUp(self):
        app._s3 = None  # the function makes its S3 client itself

    def test_summarises_the_decoded_key_and_writes_the_summary(self):
        self.s3.put_object(Bucket=self.bucket, Key="notes/hello world.txt", Body=b"one two\nthree four five\n")
        event = sample("object-created")
        for record in event["Records"]:  # the sample's bucket is this test's
            record["s3"]["bucket"].update(name=self.bucket, arn=f"arn:aws:s3:::{self.bucket}")
        result = app.handler(event, None)
        self.assertEqual((result["processed"], result["skipped"]), (1, 0))
        written = self.s3.get_object(Bucket=self.bucket, Key="processed/notes/hello world.txt.json")
        summary = json.loads(written["Body"].read())
        self.assertEqual((summary["bytes"], summary["lines"], summary["words"]), (24, 2, 5))
        self.assertEqual(written["ContentType"], "application/json")


class WithoutS3Test(unittest.TestCase):
    def setUp(self):
        app._s3 = None

    def test_own_output_is_skipped_without_s3(self):
        result = app.handler(sample("already-processed"), None)
        self.assertEqual(result, {"processed": 0, "skipped": 1, "summaries": []})
        self.assertIsNone(app._s3)


if __name__ == "__main__":
    unittest.main()
