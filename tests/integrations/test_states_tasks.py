"""Nested executions (states:startExecution and its .sync, .sync:2, .waitForTaskToken forms).

Evidence: LocalStack's AWS-validated recordings, tests/aws/services/stepfunctions/v2/callback/
test_callback.snapshot.json (test_start_execution_sync, test_start_execution_sync2,
test_start_execution_sync_delegate_failure: TaskScheduled, TaskStarted, TaskSubmitted with the
StartExecution response, then TaskSucceeded with DescribeExecution, Output as text for .sync and
parsed for .sync:2, or TaskFailed States.TaskFailed with DescribeExecution and its Error/Cause)
and .../services/test_sfn_task_service.snapshot.json (test_start_execution_no_such_arn).
"""
from __future__ import annotations

import json
import threading
import time

import pytest

from stepflow import StateMachine
from stepflow.engine.execution import StopRequest
from stepflow.runtime.clock import RealClock

CHILD = {"StartAt": "Answer", "States": {"Answer": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}}}
FAILING = {"StartAt": "Fail", "States": {"Fail": {
    "Type": "Fail", "Error": "SomeFailure", "Cause": "This state machines raises a 'SomeFailure' failure."}}}


def parent(resource, parameters, **state):
    return {"StartAt": "Start", "States": {"Start": {
        "Type": "Task", "Resource": resource, "Parameters": parameters, "End": True, **state}}}


@pytest.fixture
def registry():
    machines: dict = {}
    StateMachine(CHILD, name="Child", state_machines=machines)
    StateMachine(FAILING, name="Failing", state_machines=machines)
    return machines


def child_arn(name="Child"):
    return f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"


def events(execution, kind):
    return [e for e in execution.history if e["type"] == kind]


def test_sync_waits_and_answers_describe_execution_with_text(registry):
    sm = StateMachine(parent("arn:aws:states:::states:startExecution.sync",
                             {"StateMachineArn": child_arn(), "Input": None, "Name": "TestStartTarget"}),
                      state_machines=registry)
    execution = sm.run({})
    assert execution.status == "SUCCEEDED", execution.cause
    out = execution.output
    assert out["Output"] == '{"Arg1":"argument1"}' and out["Input"] == "{}"
    assert out["Status"] == "SUCCEEDED" and out["Name"] == "TestStartTarget"
    assert out["ExecutionArn"] == "arn:aws:states:us-east-1:123456789012:execution:Child:TestStartTarget"
    assert out["InputDetails"] == {"Included": True} and out["OutputDetails"] == {"Included": True}
    assert isinstance(out["StartDate"], int) and isinstance(out["StopDate"], int)
    kinds = [e["type"] for e in execution.history if e["type"].startswith("Task")]
    assert kinds == ["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited"]
    submitted = events(execution, "TaskSubmitted")[0]["taskSubmittedEventDetails"]
    assert (submitted["resourceType"], submitted["resource"]) == ("states", "startExecution.sync")
    assert json.loads(submitted["output"])["ExecutionArn"] == out["ExecutionArn"]


def test_sync2_parses_input_and_output(registry):
    sm = StateMachine(parent("arn:aws:states:::states:startExecution.sync:2",
                             {"StateMachineArn": child_arn(), "Input": {"x": 1}}), state_machines=registry)
    out = sm.run({}).output
    assert (out["Input"], out["Output"]) == ({"x": 1}, {"Arg1": "argument1"})


def test_a_failing_child_fails_the_task_with_its_description(registry):
    definition = parent("arn:aws:states:::states:startExecution.sync",
                        {"StateMachineArn": child_arn("Failing"), "Name": "TestStartTarget"})
    execution = StateMachine(definition, state_machines=registry).run({})
    assert execution.error == "States.TaskFailed"
    cause = json.loads(execution.cause)
    assert cause["Error"] == "SomeFailure" and cause["Status"] == "FAILED"
    assert cause["Cause"] == "This state machines raises a 'SomeFailure' failure."
    assert "Output" not in cause


MARK = "arn:aws:lambda:us-east-1:123456789012:function:mark"


def test_request_response_returns_the_start_response_and_the_child_runs(registry):
    seen = threading.Event()
    StateMachine({"StartAt": "Mark", "States": {"Mark": {"Type": "Task", "Resource": MARK, "End": True}}},
                 name="Marker", state_machines=registry, resources={MARK: lambda e, c: seen.set()})
    sm = StateMachine(parent("arn:aws:states:::states:startExecution",
                             {"StateMachineArn": child_arn("Marker"),
                              "Input": {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"}}),
                      state_machines=registry)
    out = sm.run({}).output
    assert set(out) == {"ExecutionArn", "StartDate", "SdkHttpMetadata", "SdkResponseMetadata"}
    assert seen.wait(5)


def test_unknown_state_machine_as_recorded(registry):
    arn = child_arn("Nope")
    execution = StateMachine(parent("arn:aws:states:::states:startExecution", {"StateMachineArn": arn}),
                             state_machines=registry).run({})
    assert execution.error == "StepFunctions.StateMachineDoesNotExistException"
    assert execution.cause.startswith(
        f"State Machine Does Not Exist: '{arn}' (Service: AWSStepFunctions; Status Code: 400; "
        "Error Code: StateMachineDoesNotExist; Request ID: ")


def test_wait_for_task_token_child_answers_its_parent(registry):
    StateMachine({"StartAt": "Reply", "States": {"Reply": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
        "Parameters": {"TaskToken.$": "$.token", "Output": "{\"from\": \"child\"}"}, "End": True}}},
        name="Replier", state_machines=registry)
    sm = StateMachine(parent("arn:aws:states:::states:startExecution.waitForTaskToken",
                             {"StateMachineArn": child_arn("Replier"), "Input": {"token.$": "$$.Task.Token"}}),
                      state_machines=registry)
    execution = sm.run({})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {"from": "child"}


def test_stopping_the_parent_stops_the_child_it_waits_for(registry):
    StateMachine({"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 30, "End": True}}},
                 name="Slow", state_machines=registry)
    sm = StateMachine(parent("arn:aws:states:::states:startExecution.sync",
                             {"StateMachineArn": child_arn("Slow"), "Name": "slow-child"}), state_machines=registry)
    stop = StopRequest()
    threading.Timer(0.3, stop.stop).start()
    started = time.monotonic()
    execution = sm.run({}, clock=RealClock(), stop=stop)
    assert execution.status == "ABORTED"
    assert time.monotonic() - started < 5
