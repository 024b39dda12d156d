"""Definitions and handlers that more than one scenario uses, after the recordings' templates."""
from __future__ import annotations


def raise_exception(event: dict, context: object) -> None:
    raise Exception("Some exception was raised.")


def catch_relevant(resource: str) -> dict:
    """Three catchers in order; a Lambda's own exception is a States.TaskFailed, not Lambda.Unknown."""
    return {
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": resource,
                "Parameters": {"FunctionName.$": "$.FunctionName", "Payload.$": "$.Payload"},
                "Catch": [
                    {"ErrorEquals": ["Lambda.Unknown"], "Next": "EndWithLambdaUnknownHandler"},
                    {"ErrorEquals": ["States.TaskFailed"], "Next": "EndWithStateTaskFailedHandler"},
                    {"ErrorEquals": ["States.ALL"], "Next": "EndWithAllHandler"},
                ],
                "Next": "EndWithFinal",
            },
            "EndWithLambdaUnknownHandler": {"Type": "Pass", "ResultPath": "$.lambda_unknown", "End": True},
            "EndWithStateTaskFailedHandler": {"Type": "Pass", "ResultPath": "$.task_failed_error", "End": True},
            "EndWithAllHandler": {"Type": "Pass", "ResultPath": "$.all_error", "End": True},
            "EndWithFinal": {"Type": "Pass", "ResultPath": "$.final", "End": True},
        },
    }
