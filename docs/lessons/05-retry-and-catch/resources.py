"""The lesson's payment gateway: it times out on the first three attempts, then declines the card.

The attempt number comes from the context object (``$$.State.RetryCount``), so the handler keeps no
state of its own.
"""
from stepflow import TaskError


def charge(event, context):
    if event["attempt"] < 3:
        raise TaskError("GatewayTimeout", f"no answer from the gateway (attempt {event['attempt'] + 1})")
    raise TaskError("CardDeclined", "insufficient funds")


RESOURCES = {"arn:aws:lambda:us-east-1:123456789012:function:charge": charge}
