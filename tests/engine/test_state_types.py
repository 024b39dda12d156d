"""Pass, Choice, Wait, Succeed and Fail: each state type's own behaviour, as AWS documents it."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from stepflow import StateMachine, VirtualClock


def machine(states: dict, start: str | None = None) -> StateMachine:
    return StateMachine({"StartAt": start or next(iter(states)), "States": states})


# --- Pass --------------------------------------------------------------------------------------


def test_pass_without_result_passes_its_input_on():
    assert machine({"P": {"Type": "Pass", "End": True}}).run({"a": 1}).output == {"a": 1}


def test_pass_result_placed_by_resultpath_guide_example():
    # "Pass" in the developer guide: Result {"x-datum": 0.381018, "y-datum": 622.2269926397355}
    # with ResultPath "$.coords" added to the input.
    states = {
        "P": {
            "Type": "Pass",
            "Result": {"x-datum": 0.381018, "y-datum": 622.2269926397355},
            "ResultPath": "$.coords",
            "End": True,
        }
    }
    output = machine(states).run({"georefOf": "Home"}).output
    assert output == {"georefOf": "Home", "coords": {"x-datum": 0.381018, "y-datum": 622.2269926397355}}


def test_pass_null_result_is_a_result():
    states = {"P": {"Type": "Pass", "Result": None, "ResultPath": "$.r", "End": True}}
    assert machine(states).run({"a": 1}).output == {"a": 1, "r": None}


def test_pass_result_replaces_parameters_output():
    states = {"P": {"Type": "Pass", "Parameters": {"p": 1}, "Result": "fixed", "End": True}}
    execution = machine(states).run({})
    assert execution.output == "fixed"
    assert execution.steps[0].after_parameters == {"p": 1}


# --- Choice ------------------------------------------------------------------------------------

CHOICE_STATES = {
    "Route": {
        "Type": "Choice",
        "Choices": [
            {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
            {
                "And": [
                    {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                    {"Variable": "$.value", "NumericLessThan": 30},
                ],
                "Next": "ValueInTwenties",
            },
        ],
        "Default": "DefaultState",
    },
    "Public": {"Type": "Pass", "Result": "public", "End": True},
    "ValueInTwenties": {"Type": "Pass", "Result": "twenties", "End": True},
    "DefaultState": {"Type": "Fail", "Error": "DefaultStateError", "Cause": "No Matches!"},
}


@pytest.mark.parametrize(
    "state_input, expected",
    [({"type": "Public", "value": 1}, "public"), ({"type": "Private", "value": 25}, "twenties")],
)
def test_choice_guide_example_takes_the_first_matching_rule(state_input, expected):
    execution = machine(CHOICE_STATES).run(state_input)
    assert execution.output == expected
    assert execution.steps[0].next == execution.steps[1].name


def test_choice_falls_back_to_default():
    execution = machine(CHOICE_STATES).run({"type": "Private", "value": 35})
    assert [s.name for s in execution.steps] == ["Route", "DefaultState"]
    assert (execution.error, execution.cause) == ("DefaultStateError", "No Matches!")


def test_choice_without_match_or_default_fails_with_no_choice_matched():
    states = {
        "Route": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "Done"}]},
        "Done": {"Type": "Succeed"},
    }
    execution = machine(states).run({})
    assert execution.status == "FAILED"
    assert execution.error == "States.NoChoiceMatched"
    assert [e["type"] for e in execution.history] == ["ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed"]


def test_choice_output_is_its_input_through_inputpath_and_outputpath():
    states = {
        "Route": {
            "Type": "Choice",
            "InputPath": "$.in",
            "OutputPath": "$.keep",
            "Choices": [{"Variable": "$.go", "BooleanEquals": True, "Next": "Done"}],
        },
        "Done": {"Type": "Succeed"},
    }
    assert machine(states).run({"in": {"go": True, "keep": [1]}}).output == [1]


# --- Wait --------------------------------------------------------------------------------------


def wait_machine(wait: dict) -> StateMachine:
    return machine({"W": {"Type": "Wait", **wait, "Next": "Done"}, "Done": {"Type": "Succeed"}})


def exit_time(execution) -> datetime:
    return next(e["timestamp"] for e in execution.history if e["type"] == "WaitStateExited")


START = datetime(2024, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "wait, state_input, waited_seconds",
    [
        ({"Seconds": 10}, {}, 10),
        ({"SecondsPath": "$.delay"}, {"delay": 90}, 90),
        ({"Timestamp": "2024-01-01T01:00:00Z"}, {}, 3600),
        ({"TimestampPath": "$.until"}, {"until": "2024-01-01T00:00:30.5+00:00"}, 30.5),
        ({"Timestamp": "2023-12-31T00:00:00Z"}, {}, 0),  # a moment already past: no wait
    ],
    ids=["Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Timestamp-in-the-past"],
)
def test_wait_forms_delay_by_the_clock(wait, state_input, waited_seconds):
    execution = wait_machine(wait).run(state_input, clock=VirtualClock(START))
    assert execution.status == "SUCCEEDED"
    assert execution.output == state_input
    assert (exit_time(execution) - START).total_seconds() == waited_seconds


@pytest.mark.parametrize(
    "wait, state_input",
    [
        ({"SecondsPath": "$.delay"}, {"delay": "ten"}),
        ({"SecondsPath": "$.delay"}, {"delay": -1}),
        ({"SecondsPath": "$.delay"}, {}),
        ({"TimestampPath": "$.until"}, {"until": "tomorrow"}),
    ],
)
def test_wait_with_a_bad_path_value_fails_with_states_runtime(wait, state_input):
    execution = wait_machine(wait).run(state_input)
    assert execution.error == "States.Runtime"
    assert execution.cause.startswith("An error occurred while executing the state 'W' (entered at the event id #2).")


# --- Succeed -----------------------------------------------------------------------------------


def test_succeed_ends_the_execution_with_its_filtered_input():
    states = {"S": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}}
    execution = machine(states).run({"a": {"b": 2}})
    assert (execution.status, execution.output) == ("SUCCEEDED", 2)
    assert [e["type"] for e in execution.history][-3:] == ["SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"]


# --- Fail --------------------------------------------------------------------------------------


def test_fail_with_error_and_cause_guide_example():
    states = {"F": {"Type": "Fail", "Error": "ErrorA", "Cause": "Kaiju attack"}}
    execution = machine(states).run({})
    assert (execution.status, execution.error, execution.cause, execution.output) == (
        "FAILED", "ErrorA", "Kaiju attack", None,
    )
    assert execution.history[-1]["executionFailedEventDetails"] == {"error": "ErrorA", "cause": "Kaiju attack"}
    assert execution.steps[0].status == "FAILED"


def test_fail_reads_errorpath_and_causepath_from_its_input():
    states = {"F": {"Type": "Fail", "ErrorPath": "$.err", "CausePath": "$$.Execution.Name"}}
    execution = machine(states).run({"err": "Custom"}, name="run-7")
    assert (execution.error, execution.cause) == ("Custom", "run-7")


def test_fail_causepath_may_be_an_intrinsic_function():
    states = {
        "F": {
            "Type": "Fail",
            "Error": "Oops",
            "CausePath": "States.Format('this is the cause for {}', $.who)",
        }
    }
    assert machine(states).run({"who": "Ann"}).cause == "this is the cause for Ann"


def test_fail_errorpath_selecting_a_non_string_fails_with_states_runtime():
    states = {"F": {"Type": "Fail", "ErrorPath": "$.err"}}
    assert machine(states).run({"err": 5}).error == "States.Runtime"
