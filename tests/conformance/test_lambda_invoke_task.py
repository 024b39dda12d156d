"""Task states using the optimized ``arn:aws:states:::lambda:invoke`` integration (Task* events).

Evidence (localstack/localstack, AWS-validated snapshots):
- ``tests/aws/services/stepfunctions/v2/error_handling/test_task_service_lambda.snapshot.json``
  (test_raise_exception, test_raise_exception_catch, test_no_such_function_catch,
  test_invoke_timeout) with ``templates/errorhandling/statemachines/task_lambda_invoke_catch_relevant.json5``
  and ``task_service_lambda_invoke_catch_timeout.json5``;
- ``tests/aws/services/stepfunctions/v2/context_object/test_context_object.snapshot.json``
  (test_result_selector: the TaskSucceeded output is Lambda's Invoke response);
- ``tests/aws/services/stepfunctions/v2/timeouts/test_timeouts.snapshot.json``
  (test_fixed_timeout_service_lambda);
- ``tests/aws/services/stepfunctions/v2/error_handling/test_states_errors.snapshot.json``
  (test_service_task_lambada_data_limit_exceeded_on_large_utf8_response).
"""
from __future__ import annotations

import json
import time

from .recorded import FUNCTION_ARN, LAMBDA_INVOKE, assert_links, details, run
from .shared import catch_relevant, raise_exception

INVOKE_INPUT = {"FunctionName": FUNCTION_ARN, "Payload": None}
TASK_FIELDS = {"resource": "invoke", "resourceType": "lambda"}
FAILED_TASK = [
    ("ExecutionStarted", 0),
    ("TaskStateEntered", 0),
    ("TaskScheduled", 2),
    ("TaskStarted", 3),
    ("TaskFailed", 4),
]
CAUGHT_TASK = [*FAILED_TASK, ("TaskStateExited", 5), ("PassStateEntered", 6), ("PassStateExited", 7), ("ExecutionSucceeded", 8)]


def invoke(**fields) -> dict:
    return {
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": LAMBDA_INVOKE,
                "Parameters": {"FunctionName.$": "$.FunctionName", "Payload.$": "$.Payload"},
                "End": True,
                **fields,
            }
        },
    }


def test_success_records_scheduled_parameters_and_the_invoke_response():
    execution = run(invoke(), INVOKE_INPUT, {FUNCTION_ARN: lambda event, context: {"Input": event}})
    assert_links(
        execution,
        [*FAILED_TASK[:4], ("TaskSucceeded", 4), ("TaskStateExited", 5), ("ExecutionSucceeded", 6)],
    )
    assert details(execution, 3) == {"parameters": INVOKE_INPUT, "region": "us-east-1", **TASK_FIELDS}
    assert details(execution, 4) == TASK_FIELDS
    succeeded = details(execution, 5)
    assert succeeded["outputDetails"] == {"truncated": False}
    assert {key: succeeded[key] for key in TASK_FIELDS} == TASK_FIELDS
    response = succeeded["output"]
    assert list(response) == ["ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"]
    assert (response["ExecutedVersion"], response["Payload"], response["StatusCode"]) == ("$LATEST", {"Input": None}, 200)
    assert response["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert response["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Executed-Version"] == "$LATEST"
    assert response["SdkResponseMetadata"]["RequestId"] == response["SdkHttpMetadata"]["HttpHeaders"]["x-amzn-RequestId"]
    assert execution.output == response


def test_uncaught_exception_records_task_failed_with_the_resource():
    execution = run(invoke(), INVOKE_INPUT, {FUNCTION_ARN: raise_exception})
    assert_links(execution, [*FAILED_TASK, ("ExecutionFailed", 5)])
    failed = details(execution, 5)
    assert {key: failed[key] for key in ("error", *TASK_FIELDS)} == {"error": "Exception", **TASK_FIELDS}
    assert json.loads(failed["cause"])["errorMessage"] == "Some exception was raised."
    assert details(execution, 6) == {"error": "Exception", "cause": failed["cause"]}


def test_caught_exception_cause_is_compact_json_unlike_a_plain_function_arn():
    execution = run(catch_relevant(LAMBDA_INVOKE), INVOKE_INPUT, {FUNCTION_ARN: raise_exception})
    assert_links(execution, CAUGHT_TASK)
    caught = details(execution, 6)["output"]
    # AWS: "{\"errorMessage\":\"Some exception was raised.\",\"errorType\":\"Exception\",..."
    assert caught["Cause"].startswith('{"errorMessage":"Some exception was raised.","errorType":"Exception",')
    assert details(execution, 7)["name"] == "EndWithStateTaskFailedHandler"
    assert execution.output == {**caught, "task_failed_error": caught}


def test_missing_function_is_lambda_resource_not_found_and_a_task_failure():
    missing = "arn:aws:lambda:us-east-1:111111111111:function:no_such_conformance"
    execution = run(catch_relevant(LAMBDA_INVOKE), {"FunctionName": missing, "Payload": None})
    assert_links(execution, CAUGHT_TASK)
    failed = details(execution, 5)
    assert failed["error"] == "Lambda.ResourceNotFoundException"
    assert failed["cause"].startswith(
        f"Function not found: {missing} (Service: AWSLambda; Status Code: 404; "
        "Error Code: ResourceNotFoundException; Request ID: "
    )
    assert failed["cause"].endswith("; Proxy: null)")
    assert details(execution, 7)["name"] == "EndWithStateTaskFailedHandler"


def test_timeout_records_task_timed_out_with_timeout_in_seconds_and_no_cause():
    def slow(event, context):
        time.sleep(1.5)
        return "late"

    execution = run(invoke(TimeoutSeconds=1), INVOKE_INPUT, {FUNCTION_ARN: slow})
    assert_links(
        execution,
        [*FAILED_TASK[:4], ("TaskTimedOut", 4), ("ExecutionFailed", 5)],
    )
    assert details(execution, 3)["timeoutInSeconds"] == 1
    assert details(execution, 5) == {"error": "States.Timeout", **TASK_FIELDS}
    assert details(execution, 6) == {"error": "States.Timeout"}


def test_result_over_256_kib_is_a_task_failure_a_data_limit_catcher_handles():
    definition = invoke(Catch=[{"ErrorEquals": ["States.DataLimitExceeded"], "Next": "HandleDataLimitExceeded"}])
    definition["States"]["HandleDataLimitExceeded"] = {"Type": "Pass", "End": True}
    execution = run(definition, INVOKE_INPUT, {FUNCTION_ARN: lambda event, context: "a" * (257 * 1024)})
    assert_links(execution, CAUGHT_TASK)
    failed = details(execution, 5)
    assert {key: failed[key] for key in ("error", *TASK_FIELDS)} == {"error": "States.DataLimitExceeded", **TASK_FIELDS}
    assert failed["cause"] == (
        "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit."
    )
    assert details(execution, 7)["name"] == "HandleDataLimitExceeded"
    assert execution.output == {"Error": "States.DataLimitExceeded", "Cause": failed["cause"]}
