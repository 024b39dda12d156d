"""Handlers for the server tests: ``stepflow serve --resources tests/server/data/resources.py``."""
from stepflow import TaskError

GREET = "arn:aws:lambda:us-east-1:123456789012:function:greet"
FLAKY = "arn:aws:lambda:us-east-1:123456789012:function:flaky"


def greet(event, context):
    if "name" not in event:
        raise TaskError("MissingName", "the input has no name")
    return {"greeting": f"Hello {event['name']}"}


RESOURCES = {GREET: greet}

_attempts: dict[str, int] = {}


def flaky(event, context):
    """Fails the first time it sees an id, succeeds after: a failure a redrive gets past."""
    _attempts[event["id"]] = _attempts.get(event["id"], 0) + 1
    if _attempts[event["id"]] == 1:
        raise TaskError("Flaky", "the first attempt fails")
    return {"id": event["id"], "attempt": _attempts[event["id"]]}


RESOURCES[FLAKY] = flaky
