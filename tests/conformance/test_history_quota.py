"""AWS's hard quota of 25,000 history events ends a runaway execution as AWS ends it.

Evidence: developer guide, "Avoid reaching the history quota" (event 25,000 is ExecutionFailed
unless it is ExecutionSucceeded); the error and cause of real executions, "States.Runtime" /
"The execution reached the maximum number of history events (25000).", quoted in
https://github.com/loads/ardere/issues/86, and with the last two events (ExecutionFailed id 25000
following event 24999, the last state event) in https://github.com/floci-io/floci/issues/2734.
"""
from __future__ import annotations

from .recorded import run

CAUSE = "The execution reached the maximum number of history events (25000)."


def test_a_polling_loop_fails_at_event_25000():
    definition = {"StartAt": "Wait", "States": {
        "Wait": {"Type": "Wait", "Seconds": 60, "Next": "Check"},
        "Check": {"Type": "Pass", "Result": {"done": False}, "ResultPath": "$.status", "Next": "Done?"},
        "Done?": {"Type": "Choice", "Default": "Wait", "Choices": [
            {"Variable": "$.status.done", "BooleanEquals": True, "Next": "End"}]},
        "End": {"Type": "Succeed"}}}
    execution = run(definition)
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "States.Runtime", CAUSE)
    assert len(execution.history) == 25_000
    last = execution.history[-1]
    assert (last["type"], last["id"], last["previousEventId"]) == ("ExecutionFailed", 25_000, 24_999)
    assert last["executionFailedEventDetails"] == {"error": "States.Runtime", "cause": CAUSE}
    # 1 + 6 per loop: events 24,998 and 24,999 are the Wait state's, the last the machine produced.
    assert [event["type"] for event in execution.history[-3:-1]] == ["WaitStateEntered", "WaitStateExited"]


def test_a_concurrent_map_that_outgrows_the_history_fails_once_and_stops():
    definition = {"StartAt": "Fan", "States": {"Fan": {
        "Type": "Map", "MaxConcurrency": 10, "End": True,
        "ItemProcessor": {"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}}}}}}
    execution = run(definition, list(range(10_000)))  # about 60,000 events on AWS's count
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "States.Runtime", CAUSE)
    assert len(execution.history) == 25_000
    assert [event["type"] for event in execution.history].count("ExecutionFailed") == 1
    assert execution.history[-1]["type"] == "ExecutionFailed"


def test_an_execution_whose_event_25000_is_its_success_succeeds():
    # 1 ExecutionStarted + 2 per Pass state + 1 ExecutionSucceeded = 25,000 with 12,499 states.
    count = 12_499
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(count - 1)}
    states[f"S{count - 1}"] = {"Type": "Pass", "End": True}
    execution = run({"StartAt": "S0", "States": states})
    assert execution.status == "SUCCEEDED"
    assert execution.history[-1]["id"] == 25_000
