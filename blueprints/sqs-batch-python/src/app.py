"""An SQS batch processor that reports partial batch failures (ReportBatchItemFailures).

Without a partial response, one bad message makes Lambda return the whole batch to the queue, and the good
messages are processed again. With it, only the messages named in batchItemFailures come back.
"""

import json


class InvalidOrder(ValueError):
    """A message that is not an order; it goes back to the queue (and, in the end, to the DLQ)."""


def parse_order(body):
    try:
        order = json.loads(body)
    except ValueError as exc:
        raise InvalidOrder(f"not JSON: {exc}") from None
    if not isinstance(order, dict) or not order.get("orderId"):
        raise InvalidOrder('no "orderId"')
    amount = order.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount <= 0:
        raise InvalidOrder(f'"amount" must be a positive number (got {amount!r})')
    return order


def handler(event, context):
    failures, total = [], 0.0
    for record in event.get("Records", []):
        try:
            order = parse_order(record["body"])
        except InvalidOrder as exc:
            print(f"message {record['messageId']} failed: {exc}")
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        total += order["amount"]
        print(f"order {order['orderId']}: {order['amount']}")
    print(f"processed {len(event.get('Records', [])) - len(failures)} order(s) worth {total:.2f}")
    return {"batchItemFailures": failures}
