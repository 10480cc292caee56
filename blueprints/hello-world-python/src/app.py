"""Hello world: the event's "name" greeted with the GREETING environment variable."""

import os

# Runs once per execution environment (a cold start); warm invocations reuse it.
INVOCATIONS = {"count": 0}


def handler(event, context):
    INVOCATIONS["count"] += 1
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    greeting = os.environ.get("GREETING", "Hello")
    print(f"invocation {INVOCATIONS['count']} of this environment greets {name!r}")
    return {"message": f"{greeting}, {name}!"}
