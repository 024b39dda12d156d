"""Task handlers for the every-state-type definition, loaded by ``stepflow run --resources``.

``Work`` doubles numbers and fails, as Lambda reports an uncaught exception, on the number 3.
"""
WORK_ARN = "arn:aws:lambda:us-east-1:123456789012:function:work"


class ItemRejected(Exception):
    pass


def work(event, context):
    if event == 3:
        raise ItemRejected("three is not allowed")
    return event * 2 if isinstance(event, int) else {"worked": True}


RESOURCES = {WORK_ARN: work}
SUBSTITUTIONS = {"Work": WORK_ARN}
