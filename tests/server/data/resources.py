"""Handlers for the server tests: ``stepflow serve --resources tests/server/data/resources.py``."""
from stepflow import TaskError

GREET = "arn:aws:lambda:us-east-1:123456789012:function:greet"
FLAKY = "arn:aws:lambda:us-east-1:123456789012:function:flaky"


def greet(event, context):
    if "name" not in event:
        raise TaskError("MissingName", "the input has no name")
    return {"greeting": f"Hello {event['name']}"}


RESOURCES = {GREET: greet}
