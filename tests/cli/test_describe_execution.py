"""DescribeExecution's shape, shared by the client and `stepflow executions show --json`, for each way an execution ends."""
from __future__ import annotations

from stepflow import StateMachine, VirtualClock
from stepflow.api.shapes import describe_execution as describe


def ended(definition_fields: dict, wait_seconds: int = 0) -> dict:
    definition = {
        "StartAt": "Pause",
        "States": {"Pause": {"Type": "Wait", "Seconds": wait_seconds, "Next": "Finish"},
                   "Finish": {"Type": "Pass", "End": True}},
        **definition_fields,
    }
    return describe(StateMachine(definition).run({}, clock=VirtualClock()))


def test_a_timed_out_execution_has_no_error_or_cause_and_can_be_redriven():
    described = ended({"TimeoutSeconds": 1}, wait_seconds=5)
    assert described["status"] == "TIMED_OUT"
    assert "error" not in described and "cause" not in described
    assert described["redriveStatus"] == "REDRIVABLE"
    assert "redriveStatusReason" not in described


def test_a_failed_execution_keeps_error_and_cause_and_can_be_redriven():
    definition = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Broken", "Cause": "why"}}}
    described = describe(StateMachine(definition).run({}, clock=VirtualClock()))
    assert (described["error"], described["cause"]) == ("Broken", "why")
    assert described["redriveStatus"] == "REDRIVABLE"


def test_a_succeeded_execution_cannot_be_redriven_and_says_why():
    described = ended({})
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert described["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
