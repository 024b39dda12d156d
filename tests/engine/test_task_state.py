"""Task states: handlers called Lambda-style, their errors, timeouts and the events AWS records."""
from __future__ import annotations

import json
import time

from stepflow import RealClock, StateMachine, TaskError

FN = "arn:aws:lambda:us-east-1:123456789012:function:Worker"


def task_machine(task: dict, handler, **kwargs) -> StateMachine:
    state = {"Type": "Task", "Resource": FN, "End": True, **task}
    return StateMachine({"StartAt": "Work", "States": {"Work": state}}, resources={FN: handler}, **kwargs)


def types(execution) -> list[str]:
    return [event["type"] for event in execution.history]


def test_lambda_function_arn_gets_the_effective_input_and_returns_the_result():
    seen = {}

    def handler(event, context):
        seen["event"] = event
        return {"doubled": event["n"] * 2}

    execution = task_machine({"Parameters": {"n.$": "$.value"}}, handler).run({"value": 21})
    assert seen["event"] == {"n": 21}
    assert execution.output == {"doubled": 42}
    assert types(execution) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    assert [e["previousEventId"] for e in execution.history] == [0, 0, 2, 3, 4, 5, 6]
    scheduled = execution.history[2]["lambdaFunctionScheduledEventDetails"]
    assert scheduled["resource"] == FN
    assert json.loads(scheduled["input"]) == {"n": 21}
    assert json.loads(execution.history[4]["lambdaFunctionSucceededEventDetails"]["output"]) == {"doubled": 42}


def test_lambda_invoke_integration_returns_the_invoke_response_and_writes_task_events():
    definition = {
        "StartAt": "Invoke",
        "States": {
            "Invoke": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "${WorkerArn}", "Payload": {"who.$": "$.who"}},
                "OutputPath": "$.Payload",
                "End": True,
            }
        },
    }
    machine = StateMachine(
        definition,
        resources={FN: lambda event, context: f"Hello, {event['who']}!"},
        substitutions={"WorkerArn": FN},
    )
    execution = machine.run({"who": "Ann"})
    assert execution.output == "Hello, Ann!"
    assert execution.definition["States"]["Invoke"]["Parameters"]["FunctionName"] == FN
    assert types(execution)[2:5] == ["TaskScheduled", "TaskStarted", "TaskSucceeded"]
    scheduled = execution.history[2]["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("lambda", "invoke")
    response = execution.steps[0].result
    assert response["StatusCode"] == 200 and response["Payload"] == "Hello, Ann!"


def test_handler_exception_fails_with_its_class_name_and_lambda_error_json():
    class PhotoDoesNotMeetRequirementError(Exception):
        pass

    def handler(event, context):
        raise PhotoDoesNotMeetRequirementError("Face is wearing sunglasses")

    execution = task_machine({}, handler).run({})
    assert execution.status == "FAILED"
    assert execution.error == "PhotoDoesNotMeetRequirementError"
    cause = json.loads(execution.cause)
    assert cause["errorType"] == "PhotoDoesNotMeetRequirementError"
    assert cause["errorMessage"] == "Face is wearing sunglasses"
    assert types(execution)[-2:] == ["LambdaFunctionFailed", "ExecutionFailed"]
    failed = execution.history[-2]["lambdaFunctionFailedEventDetails"]
    assert failed["error"] == "PhotoDoesNotMeetRequirementError"


def test_task_error_sets_the_exact_error_name_and_cause():
    def handler(event, context):
        raise TaskError("Custom.Rejected", "quota reached")

    execution = task_machine({}, handler).run({})
    assert (execution.error, execution.cause) == ("Custom.Rejected", "quota reached")


def test_timeout_seconds_stops_waiting_for_a_hanging_handler():
    def handler(event, context):
        time.sleep(5)

    started = time.monotonic()
    execution = task_machine({"TimeoutSeconds": 1}, handler, clock=RealClock()).run({})
    assert time.monotonic() - started < 4
    assert execution.error == "States.Timeout"
    assert types(execution)[-2:] == ["LambdaFunctionTimedOut", "ExecutionFailed"]
    assert execution.history[2]["lambdaFunctionScheduledEventDetails"]["timeoutInSeconds"] == 1


def test_timeout_seconds_path_reads_the_timeout_from_the_input():
    seen = {}

    def handler(event, context):
        seen["remaining"] = context.get_remaining_time_in_millis()
        return "ok"

    execution = task_machine({"TimeoutSecondsPath": "$.limit"}, handler).run({"limit": 7})
    assert execution.output == "ok"
    assert 0 < seen["remaining"] <= 7000
    assert execution.history[2]["lambdaFunctionScheduledEventDetails"]["timeoutInSeconds"] == 7


def test_result_over_256_kib_fails_with_data_limit_exceeded_naming_the_function():
    execution = task_machine({}, lambda event, context: "x" * (256 * 1024 + 1)).run({})
    assert execution.error == "States.DataLimitExceeded"
    assert execution.cause == (
        f"The state/task '{FN}' returned a result with a size exceeding the maximum number of bytes service limit."
    )


def test_result_of_exactly_256_kib_is_allowed():
    # 262,144 bytes of JSON: the quotes count, so the string holds two characters fewer.
    execution = task_machine({}, lambda event, context: "x" * (256 * 1024 - 2)).run({})
    assert execution.status == "SUCCEEDED"


def test_unregistered_resource_fails_with_lambda_resource_not_found():
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN, "End": True}}}
    execution = StateMachine(definition).run({})
    assert execution.status == "FAILED"
    assert execution.error == "Lambda.ResourceNotFoundException"
