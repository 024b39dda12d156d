"""The pydantic models: one class per state type, ASL field names, AWS defaults, strict shapes."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from stepflow.asl.model import (
    COMPARISON_OPERATORS,
    Catcher,
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    Retrier,
    StateMachineDefinition,
    SucceedState,
    TaskState,
    TopChoiceRule,
    WaitState,
)


def machine(states: dict, **top: object) -> StateMachineDefinition:
    return StateMachineDefinition.model_validate({"StartAt": next(iter(states)), "States": states, **top})


def test_each_state_type_parses_to_its_own_class():
    parsed = machine(
        {
            "P": {"Type": "Pass", "Next": "T"},
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "W"}],
                  "Default": "F"},
            "W": {"Type": "Wait", "Seconds": 5, "Next": "Par"},
            "Par": {"Type": "Parallel", "Next": "M",
                    "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}]},
            "M": {"Type": "Map", "Next": "S",
                  "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}},
            "S": {"Type": "Succeed"},
            "F": {"Type": "Fail", "Error": "Boom", "Cause": "because"},
        }
    )
    kinds = {name: type(state) for name, state in parsed.States.items()}
    assert kinds == {
        "P": PassState, "T": TaskState, "C": ChoiceState, "W": WaitState,
        "Par": ParallelState, "M": MapState, "S": SucceedState, "F": FailState,
    }


def test_retrier_defaults_are_aws_defaults():
    retrier = Retrier.model_validate({"ErrorEquals": ["States.ALL"]})
    assert (retrier.IntervalSeconds, retrier.MaxAttempts, retrier.BackoffRate) == (1, 3, 2.0)
    assert retrier.JitterStrategy == "NONE"
    assert retrier.MaxDelaySeconds is None


def test_catcher_result_path_defaults_to_dollar_but_keeps_an_explicit_null():
    assert Catcher.model_validate({"ErrorEquals": ["X"], "Next": "N"}).ResultPath == "$"
    assert Catcher.model_validate({"ErrorEquals": ["X"], "Next": "N", "ResultPath": None}).ResultPath is None


def test_state_paths_default_to_dollar_and_null_is_kept():
    state = machine({"P": {"Type": "Pass", "End": True, "InputPath": None}}).States["P"]
    assert state.InputPath is None
    assert state.OutputPath == "$"
    assert state.ResultPath == "$"


def test_top_level_query_language_defaults_to_jsonpath():
    assert machine({"S": {"Type": "Succeed"}}).QueryLanguage == "JSONPath"
    assert machine({"S": {"Type": "Succeed"}}, QueryLanguage="JSONata").QueryLanguage == "JSONata"


def test_unknown_field_is_rejected():
    with pytest.raises(ValidationError) as caught:
        machine({"P": {"Type": "Pass", "End": True, "Resource": "arn:x"}})
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_terminal_states_have_no_next_field():
    for terminal in ({"Type": "Succeed", "Next": "X"}, {"Type": "Fail", "End": True}):
        with pytest.raises(ValidationError):
            machine({"S": terminal})


def test_types_are_strict_so_strings_are_not_coerced_to_numbers():
    with pytest.raises(ValidationError):
        Retrier.model_validate({"ErrorEquals": ["X"], "MaxAttempts": "3"})
    with pytest.raises(ValidationError):
        Retrier.model_validate({"ErrorEquals": ["X"], "MaxAttempts": True})


def test_numeric_bounds_follow_the_language():
    with pytest.raises(ValidationError):
        Retrier.model_validate({"ErrorEquals": ["X"], "BackoffRate": 0.5})
    with pytest.raises(ValidationError):
        Retrier.model_validate({"ErrorEquals": ["X"], "IntervalSeconds": 0})
    with pytest.raises(ValidationError):
        machine({"T": {"Type": "Task", "Resource": "arn:x", "End": True, "TimeoutSeconds": 0}})


def test_a_jsonata_expression_may_stand_for_a_number():
    state = machine(
        {"W": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "End": True}},
        QueryLanguage="JSONata",
    ).States["W"]
    assert state.Seconds == "{% $states.input.delay %}"


def test_models_are_frozen():
    state = machine({"P": {"Type": "Pass", "End": True}}).States["P"]
    with pytest.raises(ValidationError):
        state.End = False  # type: ignore[misc]


def test_choice_rules_nest_and_only_top_level_rules_have_next():
    rule = TopChoiceRule.model_validate(
        {"And": [{"Variable": "$.a", "NumericGreaterThan": 1},
                 {"Not": {"Variable": "$.b", "StringEquals": "x"}}],
         "Next": "Done"}
    )
    assert rule.And[1].Not.StringEquals == "x"
    with pytest.raises(ValidationError):
        TopChoiceRule.model_validate(
            {"Not": {"Variable": "$.b", "IsNull": True, "Next": "X"}, "Next": "Done"}
        )


def test_comparison_operators_cover_the_documented_set():
    assert len(COMPARISON_OPERATORS) == 39
    assert {"StringMatches", "BooleanEqualsPath", "TimestampGreaterThanEqualsPath", "IsTimestamp"} <= set(
        COMPARISON_OPERATORS
    )
    assert "Variable" not in COMPARISON_OPERATORS and "Next" not in COMPARISON_OPERATORS


def test_map_accepts_the_legacy_iterator_and_the_processor_config():
    legacy = machine({"M": {"Type": "Map", "End": True, "Iterator": {
        "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}}).States["M"]
    assert legacy.processor.StartAt == "I"
    distributed = machine({"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
        "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}}).States["M"]
    assert distributed.processor.ProcessorConfig.Mode == "DISTRIBUTED"
    inline = machine({"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}}).States["M"]
    assert inline.processor.ProcessorConfig.Mode == "INLINE"


def test_second_counts_have_aws_upper_bounds():
    with pytest.raises(ValidationError):
        machine({"T": {"Type": "Task", "Resource": "arn:x", "End": True, "TimeoutSeconds": 99999999}})
    with pytest.raises(ValidationError):
        machine({"W": {"Type": "Wait", "Seconds": 100000000, "End": True}})
    assert machine({"W": {"Type": "Wait", "Seconds": 99999999, "End": True}}).States["W"].Seconds == 99999999
    with pytest.raises(ValidationError):
        Retrier.model_validate({"ErrorEquals": ["X"], "MaxAttempts": 99999999})
