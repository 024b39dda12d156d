"""Invoking handlers as Step Functions invokes Lambda: results, errors, timeouts, the context."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

import pytest

from stepflow import TaskError
from stepflow.asl.errors import ASLError
from stepflow.runtime.clock import VirtualClock
from stepflow.integrations.lambda_ import LAMBDA_INVOKE
from stepflow.integrations.resources import Resources
from stepflow.runtime.signals import HeartbeatTimedOut

from .calls import invoke

ARN = "arn:aws:lambda:us-east-1:123456789012:function:Worker"


def invoke_function(handler, payload=None, **limits):
    return invoke(Resources({"Worker": handler}), ARN, payload if payload is not None else {}, **limits)


def failure(call) -> ASLError:
    with pytest.raises(ASLError) as raised:
        call()
    return raised.value


def raise_value_error(event, context):
    raise ValueError("Some exception was raised.")


# --- results -------------------------------------------------------------------------------------


def test_function_arn_task_result_is_the_handler_return_value():
    assert invoke_function(lambda event, context: {"sum": event["a"] + event["b"]}, {"a": 1, "b": 2}) == {"sum": 3}


def test_handler_gets_a_copy_and_cannot_change_the_state_data():
    payload = {"items": [1, 2]}

    def mutate(event, context):
        event["items"].append(3)
        return event

    assert invoke_function(mutate, payload) == {"items": [1, 2, 3]}
    assert payload == {"items": [1, 2]}


def test_lambda_invoke_returns_lambdas_invoke_response():
    clock = VirtualClock(datetime(2024, 5, 1, 12, 0, 5, tzinfo=timezone.utc))
    resources = Resources({"Worker": lambda event, context: {"got": event}})
    result = invoke(resources, LAMBDA_INVOKE, {"FunctionName": ARN, "Payload": {"x": 1}}, clock=clock)
    assert list(result) == ["ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"]
    assert result["ExecutedVersion"] == "$LATEST"
    assert result["Payload"] == {"got": {"x": 1}}
    assert result["StatusCode"] == 200
    request_id = result["SdkResponseMetadata"]["RequestId"]
    headers = result["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["x-amzn-RequestId"] == request_id
    assert headers["Date"] == "Wed, 01 May 2024 12:00:05 GMT"
    assert headers["Content-Length"] == str(len(json.dumps({"got": {"x": 1}})))
    assert result["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert result["SdkHttpMetadata"]["AllHttpHeaders"]["Content-Type"] == ["application/json"]


def test_lambda_invoke_without_payload_sends_an_empty_event():
    resources = Resources({"Worker": lambda event, context: event})
    assert invoke(resources, LAMBDA_INVOKE, {"FunctionName": "Worker"})["Payload"] == {}


def test_lambda_invoke_of_a_numbered_version_reports_it_as_executed():
    resources = Resources({"Worker": lambda event, context: context.function_version})
    result = invoke(resources, LAMBDA_INVOKE, {"FunctionName": "Worker:7"})
    assert result["ExecutedVersion"] == "7" and result["Payload"] == "7"


def test_registered_service_resource_gets_the_effective_input():
    resources = Resources({"arn:aws:states:::sns:publish": lambda event, context: {"MessageId": event["Message"]}})
    assert invoke(resources, "arn:aws:states:::sns:publish", {"Message": "m-1"}) == {"MessageId": "m-1"}


# --- the context object --------------------------------------------------------------------------


def test_context_looks_like_lambdas():
    seen = {}

    def capture(event, context):
        names = ("function_name", "invoked_function_arn", "function_version", "memory_limit_in_mb",
                 "log_group_name", "aws_request_id", "log_stream_name", "identity", "client_context")
        seen.update({name: getattr(context, name) for name in names})
        seen["remaining"] = context.get_remaining_time_in_millis()
        return None

    invoke_function(capture, timeout_seconds=30)
    assert seen["function_name"] == "Worker"
    assert seen["invoked_function_arn"] == ARN
    assert seen["function_version"] == "$LATEST"
    assert seen["memory_limit_in_mb"] == 128
    assert seen["log_group_name"] == "/aws/lambda/Worker"
    assert len(seen["aws_request_id"]) == 36
    assert 29_000 < seen["remaining"] <= 30_000


def test_remaining_time_without_a_task_timeout_is_lambdas_maximum():
    remaining = invoke_function(lambda event, context: context.get_remaining_time_in_millis())
    assert 899_000 < remaining <= 900_000


# --- errors --------------------------------------------------------------------------------------


def test_task_error_fails_with_exactly_its_error_and_cause():
    def reject(event, context):
        raise TaskError("PhotoDoesNotMeetRequirementError", "Face must be clearly visible")

    error = failure(lambda: invoke_function(reject))
    assert (error.error, error.cause) == ("PhotoDoesNotMeetRequirementError", "Face must be clearly visible")


def test_function_arn_error_cause_is_lambdas_error_json_as_python_writes_it():
    error = failure(lambda: invoke_function(raise_value_error))
    assert error.error == "ValueError"
    cause = json.loads(error.cause)
    assert list(cause) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert cause["errorMessage"] == "Some exception was raised."
    assert cause["errorType"] == "ValueError"
    assert error.cause.startswith('{"errorMessage": "Some exception was raised.", "errorType": "ValueError"')
    assert len(cause["stackTrace"]) == 1
    assert cause["stackTrace"][0].startswith('  File "')
    assert 'in raise_value_error\n    raise ValueError("Some exception was raised.")\n' in cause["stackTrace"][0]


def test_lambda_invoke_error_cause_is_compact_json():
    resources = Resources({"Worker": raise_value_error})
    error = failure(lambda: invoke(resources, LAMBDA_INVOKE, {"FunctionName": "Worker", "Payload": {}}))
    assert error.error == "ValueError"
    assert error.cause.startswith('{"errorMessage":"Some exception was raised.","errorType":"ValueError","requestId":"')


def test_stack_trace_follows_the_error_through_helper_functions():
    def helper():
        raise KeyError("photo")

    def handler(event, context):
        helper()

    cause = json.loads(failure(lambda: invoke_function(handler)).cause)
    assert [line.split(", in ")[1].split("\n")[0] for line in cause["stackTrace"]] == ["handler", "helper"]
    assert cause["errorMessage"] == "'photo'"


def test_unknown_function_fails_like_a_missing_lambda():
    resources = Resources({})
    for call in (lambda: invoke(resources, ARN, {}),
                 lambda: invoke(resources, LAMBDA_INVOKE, {"FunctionName": "Worker"})):
        error = failure(call)
        assert error.error == "Lambda.ResourceNotFoundException"
        assert error.cause.startswith(f"Function not found: {ARN} (Service: AWSLambda; Status Code: 404; "
                                      "Error Code: ResourceNotFoundException; Request ID: ")
        assert error.cause.endswith("; Proxy: null)")


def test_a_result_that_is_not_json_fails_with_lambdas_marshal_error():
    error = failure(lambda: invoke_function(lambda event, context: {"when": datetime.now()}))
    assert error.error == "Runtime.MarshalError"
    assert "Unable to marshal response: Object of type datetime is not JSON serializable" in json.loads(error.cause)["errorMessage"]


# --- timeouts and heartbeats ---------------------------------------------------------------------


def test_a_hanging_handler_times_out_with_states_timeout_and_no_cause():
    release = threading.Event()
    started = time.monotonic()
    error = failure(lambda: invoke_function(lambda event, context: release.wait(), timeout_seconds=0.2))
    release.set()
    assert (error.error, error.cause) == ("States.Timeout", None)
    assert not isinstance(error, HeartbeatTimedOut)
    assert 0.2 <= time.monotonic() - started < 2


def test_a_handler_finishing_in_time_is_not_timed_out():
    assert invoke_function(lambda event, context: "done", timeout_seconds=5) == "done"


def test_errors_still_propagate_from_a_timed_handler():
    assert failure(lambda: invoke_function(raise_value_error, timeout_seconds=5)).error == "ValueError"


def test_a_silent_handler_times_out_as_aws_records_a_missed_heartbeat():
    release = threading.Event()
    error = failure(lambda: invoke_function(lambda e, c: release.wait(), timeout_seconds=5, heartbeat_seconds=0.2))
    release.set()
    assert (error.error, error.cause) == ("States.Timeout", None)
    assert isinstance(error, HeartbeatTimedOut)


def test_heartbeats_keep_a_long_handler_alive():
    def beating(event, context):
        for _ in range(6):
            time.sleep(0.05)
            context.heartbeat()
        return "alive"

    assert invoke_function(beating, heartbeat_seconds=0.15) == "alive"


def test_an_abandoned_handler_thread_does_not_block_process_exit():
    script = (
        "import time\n"
        "from stepflow.integrations.lambda_runtime import run_handler\n"
        "from stepflow.integrations.lambda_context import LambdaContext\n"
        "try:\n"
        "    run_handler(lambda e, c: time.sleep(3600), {}, LambdaContext('Hang', 'arn', 0.1), timeout_seconds=0.1)\n"
        "except Exception as e:\n"
        "    print(e.error)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "States.Timeout"


def test_a_lambda_arn_with_no_handler_says_which_arns_have_handlers_and_how_to_register(caplog):
    from stepflow import StateMachine

    known = "arn:aws:lambda:us-east-1:123456789012:function:Ship"
    missing = "arn:aws:lambda:us-east-1:123456789012:function:Charge"
    machine = StateMachine({"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": missing, "End": True}}},
                           resources={known: lambda event, context: event})
    execution = machine.run()
    assert execution.error == "Lambda.ResourceNotFoundException"  # as AWS fails it
    advice = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("stepflow"))
    assert f"no handler is registered for the Lambda function {missing}" in advice
    assert f"Functions with handlers: {known}" in advice and "resources={" in advice and "--resources" in advice
