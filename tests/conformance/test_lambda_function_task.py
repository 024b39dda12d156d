"""Task states whose Resource is a plain Lambda function ARN (LambdaFunction* events), as on AWS.

Evidence (localstack/localstack, AWS-validated snapshots):
- ``tests/aws/services/stepfunctions/v2/error_handling/test_task_lambda.snapshot.json``
  (test_raise_exception, test_raise_exception_catch) with the template
  ``templates/errorhandling/statemachines/task_lambda_invoke_catch_relevant.json5``;
- ``tests/aws/services/stepfunctions/v2/error_handling/test_states_errors.snapshot.json``
  (test_task_lambda_data_limit_exceeded_on_large_utf8_response, test_start_large_input);
- ``tests/aws/services/stepfunctions/v2/timeouts/test_timeouts.snapshot.json``
  (test_fixed_timeout_lambda);
- ``tests/aws/services/stepfunctions/v2/services/test_lambda_task.snapshot.json``
  (test_invoke_json_values[HelloWorld], [0.0]: JSON text ``"HelloWorld"`` and ``0.0`` throughout);
- ``tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json`` (test_catch_empty,
  test_lambda_empty_retry) with ``templates/scenarios/statemachines/catch_empty.json5`` and
  ``lambda_empty_retry.json5``.
"""
from __future__ import annotations

import json
import time

import pytest

from .recorded import FUNCTION_ARN, assert_links, details, run
from .shared import catch_relevant, raise_exception

LAMBDA_INPUT = {"FunctionName": "conformance", "Payload": None}


def single_task(**fields) -> dict:
    return {"StartAt": "Start", "States": {"Start": {"Type": "Task", "Resource": FUNCTION_ARN, "End": True, **fields}}}


def test_uncaught_exception_fails_with_the_exception_class_and_lambda_error_json():
    execution = run(single_task(), LAMBDA_INPUT, {FUNCTION_ARN: raise_exception})
    assert_links(
        execution,
        [
            ("ExecutionStarted", 0),
            ("TaskStateEntered", 0),
            ("LambdaFunctionScheduled", 2),
            ("LambdaFunctionStarted", 3),
            ("LambdaFunctionFailed", 4),
            ("ExecutionFailed", 5),
        ],
    )
    assert details(execution, 3) == {
        "input": LAMBDA_INPUT,
        "inputDetails": {"truncated": False},
        "resource": FUNCTION_ARN,
    }
    assert details(execution, 4) == {}
    failed = details(execution, 5)
    assert failed["error"] == "Exception"
    cause = json.loads(failed["cause"])
    assert list(cause) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert (cause["errorMessage"], cause["errorType"]) == ("Some exception was raised.", "Exception")
    assert details(execution, 6) == failed


def test_caught_exception_output_carries_the_cause_with_spaced_json_separators():
    execution = run(catch_relevant(FUNCTION_ARN), LAMBDA_INPUT, {FUNCTION_ARN: raise_exception})
    assert_links(
        execution,
        [
            ("ExecutionStarted", 0),
            ("TaskStateEntered", 0),
            ("LambdaFunctionScheduled", 2),
            ("LambdaFunctionStarted", 3),
            ("LambdaFunctionFailed", 4),
            ("TaskStateExited", 5),
            ("PassStateEntered", 6),
            ("PassStateExited", 7),
            ("ExecutionSucceeded", 8),
        ],
    )
    caught = details(execution, 6)["output"]
    assert list(caught) == ["Error", "Cause"]
    assert caught["Error"] == "Exception"
    # AWS: "{\"errorMessage\": \"Some exception was raised.\", \"errorType\": \"Exception\", ..."
    assert caught["Cause"].startswith('{"errorMessage": "Some exception was raised.", "errorType": "Exception", ')
    assert details(execution, 7)["name"] == "EndWithStateTaskFailedHandler"
    assert execution.output == {**caught, "task_failed_error": caught}


def test_result_over_256_kib_fails_with_data_limit_exceeded():
    execution = run(single_task(), LAMBDA_INPUT, {FUNCTION_ARN: lambda event, context: "a" * (257 * 1024)})
    assert [event["type"] for event in execution.history][-2:] == ["LambdaFunctionFailed", "ExecutionFailed"]
    assert details(execution, 5)["error"] == "States.DataLimitExceeded"
    assert details(execution, 5)["cause"] == (
        f"The state/task '{FUNCTION_ARN}' returned a result with a size exceeding the maximum number of bytes "
        "service limit."
    )


def test_pass_result_over_256_kib_fails_naming_the_state():
    execution = run(
        {"StartAt": "State_1", "States": {"State_1": {"Type": "Pass", "Result": {"Arg1": "a" * (257 * 1024)}, "End": True}}}
    )
    assert_links(
        execution,
        [("ExecutionStarted", 0), ("PassStateEntered", 0), ("ExecutionFailed", 2)],
    )
    assert details(execution, 3) == {
        "cause": "The state/task 'State_1' returned a result with a size exceeding the maximum number of bytes service limit.",
        "error": "States.DataLimitExceeded",
    }


def test_timeout_records_lambda_function_timed_out_without_a_cause():
    def slow(event, context):
        time.sleep(1.5)
        return "late"

    execution = run(single_task(TimeoutSeconds=1), {"Payload": None}, {FUNCTION_ARN: slow})
    assert_links(
        execution,
        [
            ("ExecutionStarted", 0),
            ("TaskStateEntered", 0),
            ("LambdaFunctionScheduled", 2),
            ("LambdaFunctionStarted", 3),
            ("LambdaFunctionTimedOut", 4),
            ("ExecutionFailed", 5),
        ],
    )
    assert details(execution, 3) == {
        "input": {"Payload": None},
        "inputDetails": {"truncated": False},
        "resource": FUNCTION_ARN,
        "timeoutInSeconds": 1,
    }
    assert details(execution, 5) == {"error": "States.Timeout"}
    assert details(execution, 6) == {"error": "States.Timeout"}


def test_empty_catch_list_changes_nothing_on_success():
    definition = {
        "StartAt": "StartTask",
        "States": {
            "StartTask": {"Type": "Task", "Resource": FUNCTION_ARN, "Catch": [], "Next": "Final"},
            "Final": {"Type": "Pass", "End": True},
        },
    }
    execution = run(definition, {}, {FUNCTION_ARN: lambda event, context: {}})
    assert_links(
        execution,
        [
            ("ExecutionStarted", 0),
            ("TaskStateEntered", 0),
            ("LambdaFunctionScheduled", 2),
            ("LambdaFunctionStarted", 3),
            ("LambdaFunctionSucceeded", 4),
            ("TaskStateExited", 5),
            ("PassStateEntered", 6),
            ("PassStateExited", 7),
            ("ExecutionSucceeded", 8),
        ],
    )
    assert details(execution, 5) == {"output": {}, "outputDetails": {"truncated": False}}


def test_empty_retry_list_does_not_retry():
    execution = run(single_task(Retry=[]), {}, {FUNCTION_ARN: raise_exception})
    assert [event["type"] for event in execution.history] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionFailed",
        "ExecutionFailed",
    ]
    assert details(execution, 6)["error"] == "Exception"


@pytest.mark.parametrize(("value", "text"), [("HelloWorld", '"HelloWorld"'), (0.0, "0.0")])
def test_any_json_value_is_a_valid_execution_input_and_lambda_result(value, text):
    execution = run(single_task(), value, {FUNCTION_ARN: lambda event, context: event})
    assert [event["type"] for event in execution.history] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    texts = [
        execution.history[0]["executionStartedEventDetails"]["input"],
        execution.history[2]["lambdaFunctionScheduledEventDetails"]["input"],
        execution.history[4]["lambdaFunctionSucceededEventDetails"]["output"],
        execution.history[6]["executionSucceededEventDetails"]["output"],
    ]
    assert texts == [text] * 4
