"""Unit tests of the items API, with a stand-in for the table. Run: python -m unittest discover -s tests"""

import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src" / "items"))

import app  # noqa: E402


class StubTable:
    def __init__(self):
        self.items = {}

    def get_item(self, Key):
        return {"Item": self.items[Key["id"]]} if Key["id"] in self.items else {}

    def put_item(self, Item):
        self.items[Item["id"]] = Item

    def scan(self):
        return {"Items": list(self.items.values())}

    def delete_item(self, Key):
        self.items.pop(Key["id"], None)


class ItemsTest(unittest.TestCase):
    def setUp(self):
        app._table = StubTable()

    def tearDown(self):
        app._table = None

    def test_health_needs_no_table(self):
        app._table = None
        response = app.handler({"httpMethod": "GET", "path": "/health"}, None)
        self.assertEqual(response["statusCode"], 200)
        self.assertEqual(json.loads(response["body"])["status"], "ok")
        self.assertIsNone(app._table)

    def test_put_then_get(self):
        put = app.handler({"httpMethod": "PUT", "path": "/items", "body": '{"id": "7", "name": "towel"}'}, None)
        self.assertEqual(put["statusCode"], 201)
        got = app.handler({"httpMethod": "GET", "path": "/items/7", "pathParameters": {"id": "7"}}, None)
        self.assertEqual(json.loads(got["body"])["name"], "towel")

    def test_bad_requests(self):
        self.assertEqual(app.handler({"httpMethod": "PUT", "path": "/items", "body": "{"}, None)["statusCode"], 400)
        self.assertEqual(app.handler({"httpMethod": "PATCH", "path": "/items"}, None)["statusCode"], 405)


if __name__ == "__main__":
    unittest.main()
