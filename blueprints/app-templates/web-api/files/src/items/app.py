"""The web API: items in a DynamoDB table, and a health check that needs no table."""

import json
import os

#: What GET /health says; change it, push, and watch the pipeline deploy it.
HEALTH_MESSAGE = "items API v1"

_table = None


def table():
    """The table (a boto3 Table resource), made on first use: /health never needs it."""
    global _table
    if _table is None:
        import boto3

        _table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    return _table


def respond(status, body):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body, default=str)}


def handler(event, context):
    method, path = event.get("httpMethod", ""), event.get("path", "")
    item_id = (event.get("pathParameters") or {}).get("id")
    if path == "/health":
        return respond(200, {"status": "ok", "message": HEALTH_MESSAGE})
    if method == "GET" and item_id:
        found = table().get_item(Key={"id": item_id}).get("Item")
        return respond(200, found) if found else respond(404, {"message": f"no item {item_id}"})
    if method == "GET":
        return respond(200, {"items": table().scan().get("Items", [])})
    if method == "PUT":
        try:
            item = json.loads(event.get("body") or "")
        except ValueError as exc:
            return respond(400, {"message": f"the body is not JSON: {exc}"})
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            return respond(400, {"message": 'the body must be a JSON object with a non-empty string "id"'})
        table().put_item(Item=item)
        return respond(201, item)
    if method == "DELETE" and item_id:
        table().delete_item(Key={"id": item_id})
        return respond(204, {})
    return respond(405, {"message": f"{method} is not allowed here"})
