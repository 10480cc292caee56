"""An asynchronous order pricer. Its return value becomes the OnSuccess destination's responsePayload; an
error it raises is retried (MaximumRetryAttempts) and then sent to OnFailure and the dead-letter queue."""

import os


class InvalidOrderError(Exception):
    """The order can never be priced; after the retries it lands in the DLQ for a human to look at."""


def handler(event, context):
    order_id = event.get("orderId")
    lines = event.get("lines")
    if not order_id or not isinstance(lines, list) or not lines:
        raise InvalidOrderError('an order needs an "orderId" and a non-empty list of "lines"')
    net = 0.0
    for line in lines:
        quantity, price = line.get("quantity"), line.get("unitPrice")
        if not isinstance(quantity, int) or quantity <= 0 or not isinstance(price, (int, float)) or price < 0:
            raise InvalidOrderError(f"order {order_id}: bad line {line!r}")
        net += quantity * price
    tax = round(net * float(os.environ.get("TAX_RATE", "0")), 2)
    print(f"order {order_id}: net {net:.2f}, tax {tax:.2f}")
    return {"orderId": order_id, "net": round(net, 2), "tax": tax, "total": round(net + tax, 2)}
