"""The order workflow's Lambda handlers, for `stepflow run --resources handlers.py` and the tests."""
from stepflow import TaskError

ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}".format


def validate_order(event, context):
    if event.get("total", 0) <= 0:
        raise TaskError("InvalidOrder", f"order {event.get('orderId')}: the total must be positive")
    return {"valid": True}


def charge_card(event, context):
    return {"chargeId": f"ch-{event['orderId']}", "amount": event["amount"]}


RESOURCES = {ARN("ValidateOrder"): validate_order, ARN("ChargeCard"): charge_card}
