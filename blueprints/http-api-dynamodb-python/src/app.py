"""An HTTP API (API Gateway proxy integration, payload 1.0) over a DynamoDB table.

Routes: GET /items, GET /items/{id}, PUT /items (JSON body with an "id"), DELETE /items/{id}.
The table comes from boto3, which reads the endpoint from AWS_ENDPOINT_URL when the workbench's local
services are running; it is created on first use so that requests the function answers without the table
(bad JSON, an unknown method) never need it.
"""

import json
import os

_table = None


def table():
    """The DynamoDB table (a boto3 Table resource), made once per execution environment."""
    global _table
    if _table is None:
        import boto3

        _table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    return _table


def respond(status, body):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body, default=str),
    }


def handler(event, context):
    method = event.get("httpMethod", "")
    item_id = (event.get("pathParameters") or {}).get("id")
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
