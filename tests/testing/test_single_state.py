"""test_state: AWS TestState's answers, checked against the AWS documentation's and recorded responses."""
from __future__ import annotations

import json

import pytest

from stepflow.api.errors import InvalidDefinition, InvalidExecutionInput, ValidationException
from stepflow.testing.test_state import find_state_scope, test_state

LAMBDA_TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "process-order"},
    "End": True,
}


def test_the_developer_guides_pass_state_example_at_debug_level():
    definition = (
        '{"Type": "Pass", "InputPath": "$.payload", "Parameters": {"data": 1}, "ResultPath": "$.result", '
        '"OutputPath": "$.result.data", "Next": "Another State"}'
    )

    response = test_state(definition, '{"payload": {"foo": "bar"}}', inspection_level="DEBUG")

    assert response == {
        "output": "1",
        "inspectionData": {
            "input": '{"payload": {"foo": "bar"}}',
            "afterInputPath": '{"foo":"bar"}',
            "afterParameters": '{"data":1}',
            "afterResultSelector": '{"data":1}',
            "afterResultPath": '{"payload":{"foo":"bar"},"result":{"data":1}}',
        },
        "nextState": "Another State",
        "status": "SUCCEEDED",
    }


def test_a_mocked_lambda_result_runs_through_the_tasks_data_flow():
    response = test_state(
        LAMBDA_TASK, mock={"result": '{"orderId":"12345","status":"processed"}'}, inspection_level="DEBUG"
    )

    assert response == {
        "output": '{"orderId":"12345","status":"processed"}',
        "inspectionData": {
            "input": "{}",
            "afterInputPath": "{}",
            "afterParameters": '{"FunctionName":"process-order"}',
            "result": '{"orderId":"12345","status":"processed"}',
            "afterResultSelector": '{"orderId":"12345","status":"processed"}',
            "afterResultPath": '{"orderId":"12345","status":"processed"}',
        },
        "status": "SUCCEEDED",
    }


def test_a_mocked_error_fails_the_state_showing_the_stages_reached():
    response = test_state(
        LAMBDA_TASK,
        mock={"errorOutput": {"error": "Lambda.ServiceException", "cause": "Function failed"}},
        inspection_level="DEBUG",
    )

    assert response == {
        "error": "Lambda.ServiceException",
        "cause": "Function failed",
        "inspectionData": {"input": "{}", "afterInputPath": "{}", "afterParameters": '{"FunctionName":"process-order"}'},
        "status": "FAILED",
    }


def test_info_level_gives_only_status_output_and_next_state():
    response = test_state(LAMBDA_TASK, '{"a":1}', mock={"result": '{"ok":true}'})

    assert response == {"output": '{"ok":true}', "status": "SUCCEEDED"}


def test_a_parallel_state_is_tested_with_a_mocked_result_per_branch():
    definition = {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "Branch1", "States": {"Branch1": {"Type": "Pass", "End": True}}},
            {"StartAt": "Branch2", "States": {"Branch2": {"Type": "Pass", "End": True}}},
        ],
        "End": True,
    }
    result = '[{"branch1":"data1"},{"branch2":"data2"}]'

    response = test_state(definition, mock={"result": result}, inspection_level="DEBUG")

    assert response == {
        "output": result,
        "inspectionData": {"input": "{}", "afterResultSelector": result, "afterResultPath": result},
        "status": "SUCCEEDED",
    }


def test_map_and_parallel_states_need_a_mock_as_on_aws():
    definition = {"Type": "Parallel", "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}], "End": True}

    with pytest.raises(ValidationException, match="only with a mock"):
        test_state(definition)


RETRYING_TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "foo", "Payload": "bar"},
    "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 5}],
    "End": True,
}
MOCK_ERROR = {"errorOutput": {"error": "MockException", "cause": "Mock the cause of the error."}}


def test_an_error_a_retrier_would_retry_is_retriable_with_the_backoff_of_that_retry():
    response = test_state(
        RETRYING_TASK, '{"Values": ["first", "second", "third"]}', mock=MOCK_ERROR,
        state_configuration={"retrierRetryCount": 4}, inspection_level="DEBUG",
    )

    assert response["status"] == "RETRIABLE"
    assert (response["error"], response["cause"]) == ("MockException", "Mock the cause of the error.")
    assert response["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 16}
    assert "output" not in response and "nextState" not in response


def test_an_error_past_the_retriers_max_attempts_fails_naming_the_retrier():
    response = test_state(
        RETRYING_TASK, mock=MOCK_ERROR, state_configuration={"retrierRetryCount": 5}, inspection_level="TRACE"
    )

    assert response["status"] == "FAILED"
    assert response["inspectionData"]["errorDetails"] == {"retryIndex": 0}


def test_a_caught_error_gives_the_catchers_next_state_and_output():
    definition = {
        **LAMBDA_TASK,
        "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"]}],
        "Catch": [
            {"ErrorEquals": ["Other"], "Next": "HandleOther"},
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.errorOutput", "Next": "HandleMockError"},
        ],
    }

    response = test_state(definition, '{"Value":"HelloWorld"}', mock=MOCK_ERROR, inspection_level="DEBUG")

    assert response["status"] == "CAUGHT_ERROR"
    assert response["nextState"] == "HandleMockError"
    assert json.loads(response["output"]) == {
        "Value": "HelloWorld",
        "errorOutput": {"Error": "MockException", "Cause": "Mock the cause of the error."},
    }
    assert response["inspectionData"]["errorDetails"] == {"catchIndex": 1}


def test_a_retriable_error_is_not_caught():
    definition = {**RETRYING_TASK, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}]}

    assert test_state(definition, mock=MOCK_ERROR)["status"] == "RETRIABLE"


def test_choice_succeed_and_fail_states_report_input_and_input_path_only():
    choice = {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.value", "NumericLessThan": 20, "Next": "ValueBelowTwenty"},
            {"Variable": "$.value", "NumericLessThan": 30, "Next": "ValueInTwenties"},
        ],
        "Default": "DefaultState",
    }
    fail = {"Type": "Fail", "Error": "SomeFailure", "Cause": "This state machines raises a 'SomeFailure' failure."}

    chosen = test_state(choice, '{"type": "Private", "value": 22}', inspection_level="DEBUG")
    failed = test_state(fail, '{"Value": "HelloWorld"}', inspection_level="DEBUG")

    # Values still the untouched input keep the input's text, as in the guide's Choice example.
    assert chosen == {
        "output": '{"type": "Private", "value": 22}',
        "inspectionData": {"input": '{"type": "Private", "value": 22}', "afterInputPath": '{"type": "Private", "value": 22}'},
        "nextState": "ValueInTwenties",
        "status": "SUCCEEDED",
    }
    assert failed == {
        "error": "SomeFailure",
        "cause": "This state machines raises a 'SomeFailure' failure.",
        "inspectionData": {"input": '{"Value": "HelloWorld"}', "afterInputPath": '{"Value": "HelloWorld"}'},
        "status": "FAILED",
    }


def test_a_pass_state_with_result_reports_the_result_stages():
    response = test_state(
        {"Type": "Pass", "Result": {"resultKey": "result value"}, "End": True}, '{"Value": "HelloWorld"}',
        inspection_level="DEBUG",
    )

    assert response["inspectionData"] == {
        "input": '{"Value": "HelloWorld"}',
        "result": '{"resultKey":"result value"}',
        "afterResultSelector": '{"resultKey":"result value"}',
        "afterResultPath": '{"resultKey":"result value"}',
    }


MACHINE = {
    "StartAt": "Approval Required",
    "States": {
        "Approval Required": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.cost", "NumericLessThan": 10, "Next": "Approved"}],
            "Default": "Fan out",
        },
        "Fan out": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Ask",
                    "States": {
                        "Ask": {
                            "Type": "Task",
                            "Resource": "${AskFunctionArn}",
                            "ResultSelector": {"approved.$": "$.approval"},
                            "End": True,
                        }
                    },
                }
            ],
            "Next": "Approved",
        },
        "Approved": {"Type": "Succeed"},
    },
}


def test_state_name_picks_a_state_of_a_whole_machine_even_inside_a_branch():
    small = test_state(MACHINE, '{"cost": 9}', state_name="Approval Required")
    large = test_state(MACHINE, '{"cost": 10}', state_name="Approval Required")
    ask = test_state(MACHINE, '{"cost": 10}', state_name="Ask", mock={"result": '{"approval": true }'})

    assert small["nextState"] == "Approved" and large["nextState"] == "Fan out"
    assert ask == {"output": '{"approved":true}', "status": "SUCCEEDED"}


def test_an_unmocked_task_calls_its_real_handler():
    response = test_state(
        MACHINE, {"cost": 10}, state_name="Ask",
        resources={"arn:aws:lambda:us-east-1:123456789012:function:AskFunctionArn": lambda event, context: {"approval": event["cost"] > 5}},
    )

    assert response == {"output": '{"approved":true}', "status": "SUCCEEDED"}


def test_context_given_with_a_mock_is_the_states_context_object():
    definition = {**LAMBDA_TASK, "Parameters": {"token.$": "$$.Task.Token", "execution.$": "$$.Execution.Name"}}

    response = test_state(
        definition, mock={"result": "{}"}, context='{"Task": {"Token": "t-1"}, "Execution": {"Name": "run-7"}}',
        inspection_level="DEBUG",
    )

    assert json.loads(response["inspectionData"]["afterParameters"]) == {"token": "t-1", "execution": "run-7"}


def test_a_lone_state_is_named_StateName_in_its_context_object():
    response = test_state({"Type": "Pass", "Parameters": {"name.$": "$$.State.Name"}, "End": True})

    assert json.loads(response["output"]) == {"name": "StateName"}


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: test_state({"Type": "Pass", "End": True}, mock={"result": "1"}), ValidationException, "only be specified for Task, Map, or Parallel"),
        (lambda: test_state(LAMBDA_TASK, context="{}"), ValidationException, "only be specified together with a mock"),
        (lambda: test_state(LAMBDA_TASK, "{not json", mock={"result": "1"}), InvalidExecutionInput, "Invalid input"),
        (lambda: test_state({"Type": "Pass", "Next": 3}), InvalidDefinition, "problem"),
        (lambda: test_state(MACHINE, state_name="Nope"), ValidationException, "no state named 'Nope'"),
        (lambda: test_state(MACHINE), ValidationException, "stateName is required"),
        (lambda: test_state(LAMBDA_TASK, inspection_level="LOUD"), ValidationException, "inspectionLevel"),
        (lambda: test_state(LAMBDA_TASK, mock={"result": "1"}, state_configuration={"mapIterationFailureCount": 1}),
         ValidationException, "does not support stateConfiguration mapIterationFailureCount"),
    ],
)
def test_bad_requests_raise_the_apis_errors(call, error, message):
    with pytest.raises(error, match=message) as raised:
        call()

    assert raised.value.response["Error"]["Code"] == error.__name__


def test_find_state_scope_keeps_the_machines_query_language():
    definition = {"QueryLanguage": "JSONata", **MACHINE}

    scope = find_state_scope(definition, "Ask")

    assert scope["StartAt"] == "Ask" and scope["QueryLanguage"] == "JSONata"
    assert find_state_scope(definition, "Missing") is None


def test_a_jsonata_task_reports_its_arguments_as_recorded_from_aws():
    definition = {
        "QueryLanguage": "JSONata",
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "foo", "Payload": "bar"},
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 5, "BackoffRate": 2}],
        "End": True,
    }
    values = '{"Values": ["first", "second", "third"]}'

    response = test_state(
        definition, values, mock=MOCK_ERROR, state_configuration={"retrierRetryCount": 4}, inspection_level="DEBUG"
    )

    assert response == {
        "error": "MockException",
        "cause": "Mock the cause of the error.",
        "inspectionData": {
            "input": values,
            "afterArguments": '{"FunctionName":"foo","Payload":"bar"}',
            "errorDetails": {"retryIndex": 0, "retryBackoffIntervalSeconds": 16},
        },
        "status": "RETRIABLE",
    }


def test_variables_are_read_by_the_state_and_reported_after_it_assigns():
    definition = {"Type": "Pass", "Parameters": {"greeting.$": "$greeting"}, "Assign": {"count": 1}, "End": True}

    response = test_state(definition, variables='{"greeting": "hello"}', inspection_level="DEBUG")

    assert response["output"] == '{"greeting":"hello"}'
    assert json.loads(response["inspectionData"]["variables"]) == {"greeting": "hello", "count": 1}


def test_a_mocked_map_state_reports_its_concurrency_and_tolerance_as_recorded_from_aws():
    definition = {
        "QueryLanguage": "JSONata",
        "Type": "Map",
        "Items": "{% $states.input.Values %}",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "HandleItem",
            "States": {"HandleItem": {"Type": "Pass", "End": True}},
        },
        "ToleratedFailureCount": 1,
        "Output": "{% {'input': $states.input, 'result': $states.result} %}",
        "End": True,
    }

    response = test_state(definition, '{"Values": [1, 2, 3]}', mock={"result": "[1, 1, 1]"}, inspection_level="DEBUG")

    assert response["inspectionData"] == {"input": '{"Values": [1, 2, 3]}', "maxConcurrency": 0, "toleratedFailureCount": 1}
    assert json.loads(response["output"]) == {"input": {"Values": [1, 2, 3]}, "result": [1, 1, 1]}
    assert response["status"] == "SUCCEEDED"


def test_the_developer_guides_choice_state_example_at_info_level_echoes_the_untouched_input():
    definition = (
        '{"Type": "Choice", "Choices": [{"Variable": "$.number", "NumericEquals": 1, "Next": "Equals 1"}, '
        '{"Variable": "$.number", "NumericEquals": 2, "Next": "Equals 2"}], "Default": "No Match"}'
    )

    response = test_state(definition, '{"number": 2}')

    assert response == {"output": '{"number": 2}', "nextState": "Equals 2", "status": "SUCCEEDED"}


def test_a_stage_that_produced_null_is_shown_while_stages_never_reached_are_not():
    response = test_state(
        {**LAMBDA_TASK, "ResultSelector": {"missing.$": "$.nope"}}, mock={"result": "null"}, inspection_level="DEBUG"
    )

    assert response["status"] == "FAILED"
    assert response["inspectionData"]["result"] == "null"
    assert "afterResultSelector" not in response["inspectionData"]
