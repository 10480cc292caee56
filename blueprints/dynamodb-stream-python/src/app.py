"""A DynamoDB stream processor: what changed in the table, as plain values.

Stream images use DynamoDB's typed JSON ({"S": "x"}, {"N": "1"}, ...); `plain` turns them into ordinary
values so the rest of the code does not have to know the format.
"""

from decimal import Decimal


def plain(value):
    """One typed attribute value as a plain Python value."""
    (kind, inner), = value.items()
    if kind == "S" or kind == "B":
        return inner
    if kind == "N":
        number = Decimal(inner)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "BOOL":
        return bool(inner)
    if kind == "NULL":
        return None
    if kind == "L":
        return [plain(item) for item in inner]
    if kind == "M":
        return {key: plain(item) for key, item in inner.items()}
    if kind in ("SS", "BS"):
        return sorted(inner)
    if kind == "NS":
        return sorted(plain({"N": item}) for item in inner)
    raise ValueError(f"unknown attribute type {kind}")


def image(record, name):
    return {key: plain(value) for key, value in (record["dynamodb"].get(name) or {}).items()}


def describe(record):
    keys = image(record, "Keys")
    change = {"event": record["eventName"], "id": keys.get("id")}
    if record["eventName"] == "INSERT":
        change["item"] = image(record, "NewImage")
    elif record["eventName"] == "MODIFY":
        old, new = image(record, "OldImage"), image(record, "NewImage")
        change["changed"] = sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))
    return change


def handler(event, context):
    changes = []
    for record in event.get("Records", []):
        try:
            changes.append(describe(record))
        except (KeyError, ValueError) as exc:
            sequence = record.get("dynamodb", {}).get("SequenceNumber")
            print(f"record {sequence} cannot be read: {exc!r}")
            return {"batchItemFailures": [{"itemIdentifier": sequence}], "changes": changes}
    for change in changes:
        print(f"{change['event']} {change['id']}")
    return {"batchItemFailures": [], "changes": changes}
