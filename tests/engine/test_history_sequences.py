"""Exact event sequences (type, previousEventId, details) for small machines, as AWS records them."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from stepflow import StateMachine, TaskError, VirtualClock

FN = "arn:aws:lambda:us-east-1:123456789012:function:Worker"
START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def events(definition: dict, state_input=None, resources=None) -> list[tuple[str, int]]:
    execution = StateMachine(definition, resources=resources or {}).run(
        state_input if state_input is not None else {}, clock=VirtualClock(START)
    )
    return [(e["type"], e["previousEventId"]) for e in execution.history]


def test_choice_then_wait_then_succeed():
    definition = {
        "StartAt": "Route",
        "States": {
            "Route": {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": True, "Next": "Pause"}]},
            "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    assert events(definition, {"go": True}) == [
        ("ExecutionStarted", 0),
        ("ChoiceStateEntered", 0),
        ("ChoiceStateExited", 2),
        ("WaitStateEntered", 3),
        ("WaitStateExited", 4),
        ("SucceedStateEntered", 5),
        ("SucceedStateExited", 6),
        ("ExecutionSucceeded", 7),
    ]


def test_pass_then_fail_has_no_fail_state_exited():
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Next": "F"}, "F": {"Type": "Fail", "Error": "E", "Cause": "C"}},
    }
    assert events(definition) == [
        ("ExecutionStarted", 0),
        ("PassStateEntered", 0),
        ("PassStateExited", 2),
        ("FailStateEntered", 3),
        ("ExecutionFailed", 4),
    ]


def test_lambda_invoke_failure_records_task_failed_with_the_resource():
    definition = {
        "StartAt": "Invoke",
        "States": {
            "Invoke": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": FN, "Payload.$": "$"},
                "End": True,
            }
        },
    }

    def handler(event, context):
        raise TaskError("Custom.Failure", "it broke")

    execution = StateMachine(definition, resources={FN: handler}).run({})
    assert [(e["type"], e["previousEventId"]) for e in execution.history] == [
        ("ExecutionStarted", 0),
        ("TaskStateEntered", 0),
        ("TaskScheduled", 2),
        ("TaskStarted", 3),
        ("TaskFailed", 4),
        ("ExecutionFailed", 5),
    ]
    assert execution.history[4]["taskFailedEventDetails"] == {
        "resourceType": "lambda",
        "resource": "invoke",
        "error": "Custom.Failure",
        "cause": "it broke",
    }
    assert json.loads(execution.history[2]["taskScheduledEventDetails"]["parameters"]) == {
        "FunctionName": FN,
        "Payload": {},
    }


def test_retried_lambda_repeats_scheduled_started_failed_within_one_state_visit():
    calls = []

    def handler(event, context):
        calls.append(1)
        if len(calls) == 1:
            raise TaskError("Again", "once more")
        return "ok"

    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": FN, "Retry": [{"ErrorEquals": ["Again"]}], "End": True}
        },
    }
    assert events(definition, resources={FN: handler}) == [
        ("ExecutionStarted", 0),
        ("TaskStateEntered", 0),
        ("LambdaFunctionScheduled", 2),
        ("LambdaFunctionStarted", 3),
        ("LambdaFunctionFailed", 4),
        ("LambdaFunctionScheduled", 5),
        ("LambdaFunctionStarted", 6),
        ("LambdaFunctionSucceeded", 7),
        ("TaskStateExited", 8),
        ("ExecutionSucceeded", 9),
    ]


def test_states_entered_and_exited_carry_name_and_json_payloads():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"b": 2}, "End": True}}}
    execution = StateMachine(definition).run({"a": 1})
    entered, exited = execution.history[1], execution.history[2]
    assert entered["stateEnteredEventDetails"] == {
        "name": "P",
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
    }
    assert exited["stateExitedEventDetails"] == {
        "name": "P",
        "output": '{"b":2}',
        "outputDetails": {"truncated": False},
    }


def test_event_timestamps_follow_the_clock():
    definition = {
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 90, "Next": "P"}, "P": {"Type": "Pass", "End": True}},
    }
    execution = StateMachine(definition).run({}, clock=VirtualClock(START))
    offsets = [(e["timestamp"] - START).total_seconds() for e in execution.history]
    assert offsets == [0, 0, 90, 90, 90, 90]
