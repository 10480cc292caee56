"""Unit tests of the items API. Run: python -m unittest discover -s tests

The table tests run against a real DynamoDB, in a table they make and delete: in the pipeline's Build, the
workbench's local services (it sets AWS_ENDPOINT_URL); by hand, start `workbench serve` and export
AWS_ENDPOINT_URL=<the URL it prints>. Without an endpoint they are skipped, saying why.
"""

import json
import os
import sys
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src" / "items"))

import app  # noqa: E402

ENDPOINT = os.environ.get("AWS_ENDPOINT_URL")


class HealthTest(unittest.TestCase):
    def test_health_needs_no_table(self):
        app._table = None
        response = app.handler({"httpMethod": "GET", "path": "/health"}, None)
        self.assertEqual(response["statusCode"], 200)
        self.assertEqual(json.loads(response["body"])["status"], "ok")
        self.assertIsNone(app._table)

    def test_bad_requests_need_no_table(self):
        app._table = None
        self.assertEqual(app.handler({"httpMethod": "PUT", "path": "/items", "body": "{"}, None)["statusCode"], 400)
        self.assertEqual(app.handler({"httpMethod": "PATCH", "path": "/items"}, None)["statusCode"], 405)
        self.assertIsNone(app._table)


@unittest.skipUnless(ENDPOINT, "needs DynamoDB: export AWS_ENDPOINT_URL (the pipeline's Build sets it)")
class ItemsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import boto3

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
        os.environ["TABLE_NAME"] = cls.name

    @classmethod
    def tearDownClass(cls):
        cls.dynamodb.delete_table(TableName=cls.name)
        os.environ.pop("TABLE_NAME", None)

    def setUp(self):
        app._table = None  # the function makes its table client itself

    def test_put_then_get_then_delete(self):
        put = app.handler({"httpMethod": "PUT", "path": "/items", "body": '{"id": "7", "name": "towel"}'}, None)
        self.assertEqual(put["statusCode"], 201)
        got = app.handler({"httpMethod": "GET", "path": "/items/7", "pathParameters": {"id": "7"}}, None)
        self.assertEqual(json.loads(got["body"])["name"], "towel")
        gone = app.handler({"httpMethod": "DELETE", "path": "/items/7", "pathParameters": {"id": "7"}}, None)
        self.assertEqual(gone["statusCode"], 204)
        self.assertEqual(self.dynamodb.scan(TableName=self.name)["Items"], [])


if __name__ == "__main__":
    unittest.main()
