"""Pass and Fail states, as recorded on AWS.

Evidence: localstack/localstack ``tests/aws/services/stepfunctions/v2/base/test_base.snapshot.json``
(test_state_fail, test_state_fail_path, test_state_fail_intrinsic, test_state_fail_empty,
test_state_pass_result, test_state_pass_result_jsonpaths,
test_state_pass_result_null_input_output_paths, test_state_pass_regex_json_path_base) with the
matching templates under ``tests/aws/services/stepfunctions/templates/base/statemachines/``.
"""
from __future__ import annotations

from .recorded import assert_links, details, run

FAIL_ONLY = [("ExecutionStarted", 0), ("FailStateEntered", 0), ("ExecutionFailed", 2)]


def fail_machine(**fields: str) -> dict:
    return {"StartAt": "FailState", "States": {"FailState": {"Type": "Fail", **fields}}}


def test_fail_state_ends_the_execution_with_its_error_and_cause():
    execution = run(
        fail_machine(Error="SomeFailure", Cause="This state machines raises a 'SomeFailure' failure.")
    )
    assert_links(execution, FAIL_ONLY)
    assert details(execution, 3) == {
        "cause": "This state machines raises a 'SomeFailure' failure.",
        "error": "SomeFailure",
    }
    assert (execution.status, execution.error) == ("FAILED", "SomeFailure")


def test_fail_state_without_error_or_cause_records_empty_failure_details():
    execution = run(fail_machine())
    assert_links(execution, FAIL_ONLY)
    assert details(execution, 3) == {}


def test_fail_state_reads_error_and_cause_through_paths():
    execution = run(
        fail_machine(ErrorPath="$.Error", CausePath="$.Cause"),
        {"Error": "error string", "Cause": "cause string"},
    )
    assert details(execution, 2) == {
        "input": {"Error": "error string", "Cause": "cause string"},
        "inputDetails": {"truncated": False},
        "name": "FailState",
    }
    assert details(execution, 3) == {"cause": "cause string", "error": "error string"}


def test_fail_state_paths_may_be_intrinsic_functions():
    execution = run(
        fail_machine(
            ErrorPath="States.Format('{}', $.Error)",
            CausePath="States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)",
        ),
        {"Error": "error string", "Cause": "cause string"},
    )
    assert details(execution, 3) == {
        "cause": "This is a custom error message for error string, caused by cause string.",
        "error": "error string",
    }


def test_pass_result_replaces_the_input_and_becomes_the_execution_output():
    execution = run(
        {"StartAt": "State_1", "States": {"State_1": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}}}
    )
    assert_links(
        execution,
        [("ExecutionStarted", 0), ("PassStateEntered", 0), ("PassStateExited", 2), ("ExecutionSucceeded", 3)],
    )
    assert details(execution, 3) == {
        "name": "State_1",
        "output": {"Arg1": "argument1"},
        "outputDetails": {"truncated": False},
    }
    assert details(execution, 4) == {"output": {"Arg1": "argument1"}, "outputDetails": {"truncated": False}}


def test_pass_result_keys_ending_in_dollar_are_literal_not_paths():
    result = {"unsupported1.$": "$.jsonpath", "unsupported2.$": "$$"}
    execution = run({"StartAt": "State_1", "States": {"State_1": {"Type": "Pass", "Result": result, "End": True}}})
    assert details(execution, 4)["output"] == result


def test_null_input_path_gives_an_empty_object_and_null_output_path_outputs_one():
    definition = {
        "StartAt": "State0",
        "States": {
            "State0": {"Type": "Pass", "Parameters": {"Arg1": "argument1", "FromInput.$": "$"}, "Next": "State1"},
            "State1": {
                "Type": "Pass",
                "InputPath": None,
                "Parameters": {"Arg2": "argument2", "FromInput.$": "$"},
                "Next": "State2",
            },
            "State2": {"Type": "Pass", "OutputPath": None, "End": True},
        },
    }
    execution = run(definition, {"InputValue": 0})
    exits = [details(execution, event_id)["output"] for event_id in (3, 5, 7)]
    assert exits == [
        {"Arg1": "argument1", "FromInput": {"InputValue": 0}},
        {"Arg2": "argument2", "FromInput": {}},
        {},
    ]
    assert details(execution, 8) == {"output": {}, "outputDetails": {"truncated": False}}


def test_filter_expression_in_parameters_selects_matching_array_elements():
    definition = {
        "StartAt": "State0",
        "States": {"State0": {"Type": "Pass", "Parameters": {"FromInput.$": "$.users[?(@.year == 1997)]"}, "End": True}},
    }
    execution = run(definition, {"users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}]})
    assert execution.output == {"FromInput": [{"year": 1997, "status": 0}]}


def test_a_payload_path_on_a_null_input_is_a_runtime_error():
    # One public report of a real execution (a Stack Overflow question, mirrored at
    # cplus-django.wekeepcoding.com article 12193469): "Input.$": "$" after a state whose output was null.
    definition = {
        "StartAt": "Nothing",
        "States": {
            "Nothing": {"Type": "Pass", "Result": None, "Next": "Use"},
            "Use": {"Type": "Pass", "Parameters": {"Input.$": "$"}, "End": True},
        },
    }
    execution = run(definition)
    assert (execution.error, execution.cause) == (
        "States.Runtime",
        "An error occurred while executing the state 'Use' (entered at the event id #4). "
        "Unable to apply Path transformation to null or empty input.",
    )
