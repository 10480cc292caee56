"""Unit tests of the routes. Those that reach the table run against a real DynamoDB: the workbench's local
services (start `workbench serve` and export AWS_ENDPOINT_URL=<the URL it prints>), where the tests make a
table of their own and delete it after. Without an endpoint they are skipped, saying why.

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
NO_ENDPOINT = ("needs DynamoDB: run `workbench serve` and export AWS_ENDPOINT_URL=<its URL> "
               "(the local services answer there)")


def sample(name):
    return json.loads((EVENTS / f"{name}.json").read_text())


@unittest.skipUnless(ENDPOINT, NO_ENDPOINT)
class TableTest(unittest.TestCase):
    """The function's own boto3 code against a table made for the test."""

    @classmethod
    def setUpClass(cls):
        import boto3

        # Local services take any credentials; real ones in the environment win.
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
        os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", "us-east-1"))
        cls.dynamodb = boto3.client("dynamodb")
        cls.name = f"items-test-{uuid.uuid4().hex[:12]}"
        cls.dynamodb.create_table(
            TableName=cls.name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        cls.dynamodb.get_waiter("table_exists").wait(TableName=cls.name)
        cls.previous = os.environ.get("TABLE_NAME")
        os.environ["TABLE_NAME"] = cls.name

    @classmethod
    def tearDownClass(cls):
        cls.dynamodb.delete_table(TableName=cls.name)
        if cls.previous is None:
            os.environ.pop("TABLE_NAME", None)
        else:
            os.environ["TABLE_NAME"] = cls.previous

    def setUp(self):
        app._table = None  # the function makes its table client itself

    def stored(self):
        return {item["id"]["S"] for item in self.dynamodb.scan(TableName=self.name)["Items"]}

    def test_put_then_get_then_list_then_delete(self):
        put = app.handler(sample("put-item"), None)
        self.assertEqual(put["statusCode"], 201)
        self.assertEqual(self.stored(), {"42"})
        got = app.handler(sample("get-item"), None)
        self.assertEqual((got["statusCode"], json.loads(got["body"])["name"]), (200, "towel"))
        listed = app.handler({"httpMethod": "GET", "pathParameters": None}, None)
        self.assertEqual([item["id"] for item in json.loads(listed["body"])["items"]], ["42"])
        deleted = app.handler({"httpMethod": "DELETE", "pathParameters": {"id": "42"}}, None)
        self.assertEqual(deleted["statusCode"], 204)
        self.assertEqual(self.stored(), set())

    def test_missing_item_is_404(self):
        missing = dict(sample("get-item"), pathParameters={"id": "not-there"})
        self.assertEqual(app.handler(missing, None)["statusCode"], 404)


class WithoutTableTest(unittest.TestCase):
    """Requests the function answers without ever making a table client."""

    def setUp(self):
        app._table = None

    def test_bad_json_is_400(self):
        self.assertEqual(app.handler(sample("bad-json"), None)["statusCode"], 400)
        self.assertIsNone(app._table)

    def test_body_without_id_is_400(self):
        response = app.handler({"httpMethod": "PUT", "body": '{"name": "x"}'}, None)
        self.assertEqual(response["statusCode"], 400)
        self.assertIsNone(app._table)

    def test_other_methods_are_405(self):
        self.assertEqual(app.handler(sample("method-not-allowed"), None)["statusCode"], 405)
        self.assertIsNone(app._table)


if __name__ == "__main__":
    unittest.main()
