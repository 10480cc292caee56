"""Unit tests of the routes, with a stand-in for the table's four methods (the real one is a boto3 Table)."""

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


class StubTable:
    """Only the methods the function calls, over a dict."""

    def __init__(self):
        self.items = {}

    def get_item(self, Key):
        item = self.items.get(Key["id"])
        return {"Item": item} if item else {}

    def put_item(self, Item):
        self.items[Item["id"]] = Item

    def scan(self):
        return {"Items": list(self.items.values())}

    def delete_item(self, Key):
        self.items.pop(Key["id"], None)


def sample(name):
    return json.loads((EVENTS / f"{name}.json").read_text())


class RoutesTest(unittest.TestCase):
    def setUp(self):
        self.table = app._table = StubTable()

    def tearDown(self):
        app._table = None

    def test_put_then_get_then_list_then_delete(self):
        put = app.handler(sample("put-item"), None)
        self.assertEqual(put["statusCode"], 201)
        got = app.handler(sample("get-item"), None)
        self.assertEqual((got["statusCode"], json.loads(got["body"])["name"]), (200, "towel"))
        listed = app.handler({"httpMethod": "GET", "pathParameters": None}, None)
        self.assertEqual(len(json.loads(listed["body"])["items"]), 1)
        deleted = app.handler({"httpMethod": "DELETE", "pathParameters": {"id": "42"}}, None)
        self.assertEqual(deleted["statusCode"], 204)
        self.assertEqual(self.table.items, {})

    def test_missing_item_is_404(self):
        self.assertEqual(app.handler(sample("get-item"), None)["statusCode"], 404)

    def test_bad_json_is_400_and_touches_nothing(self):
        app._table = None  # the table must not be needed
        self.assertEqual(app.handler(sample("bad-json"), None)["statusCode"], 400)
        self.assertIsNone(app._table)

    def test_body_without_id_is_400(self):
        response = app.handler({"httpMethod": "PUT", "body": '{"name": "x"}'}, None)
        self.assertEqual(response["statusCode"], 400)

    def test_other_methods_are_405(self):
        self.assertEqual(app.handler(sample("method-not-allowed"), None)["statusCode"], 405)


if __name__ == "__main__":
    unittest.main()
