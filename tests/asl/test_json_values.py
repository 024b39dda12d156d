"""Definitions and inputs hold only what JSON text can say, so whatever stepflow prints or stores is
valid JSON and UTF-8; bad values are refused with stepflow's own typed errors naming the place."""
from __future__ import annotations

import json

import pytest

from stepflow import DefinitionError, StateMachine
from stepflow.asl.json_values import (
    MAX_DEFINITION_DEPTH, MAX_INPUT_LENGTH, InvalidJsonValue, check_execution_input, check_json_value, loads,
)

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def with_result(result) -> dict:
    return {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": True}}}


@pytest.mark.parametrize(
    ("value", "pointer", "problem"),
    [
        ({"a": float("inf")}, "/a", "inf is not a JSON number"),
        ([1, float("nan")], "/1", "nan is not a JSON number"),
        ({"a/b": ["\udcff"]}, "/a~1b/0", "lone surrogate (U+DCFF)"),
        ({1: 2}, "", "an object key must be a string"),
        ({"t": (1, 2)}, "/t", "a Python tuple is not a JSON value"),
        ({"n": 10**4300}, "/n", "more than 4300 digits"),
    ],
)
def test_values_json_cannot_carry_are_refused_with_their_place(value, pointer, problem):
    with pytest.raises(InvalidJsonValue) as refused:
        check_json_value(value)
    assert refused.value.pointer == pointer
    assert problem in refused.value.problem


def test_plain_json_passes_and_large_but_printable_integers_too():
    check_json_value({"a": [1, 2.5, "x", True, None, {"b": 10**4299}]})


def test_nesting_is_checked_without_recursion():
    deep: object = 1
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(InvalidJsonValue, match="nested more than 1000 levels deep"):
        check_json_value(deep)


@pytest.mark.parametrize("text", ["1e999", "-1e400", "NaN", "[Infinity]"])
def test_text_with_numbers_json_has_not_is_refused(text):
    with pytest.raises(ValueError):
        loads(text)


def test_deep_json_text_is_a_value_error_not_a_recursion_error():
    with pytest.raises(ValueError, match="nested too deeply"):
        loads("[" * 100_000 + "]" * 100_000)


def test_a_definition_with_a_value_json_cannot_carry_is_a_located_definition_error():
    with pytest.raises(DefinitionError) as refused:
        StateMachine(with_result({"x": float("-inf")}))
    assert [(d.code, d.location) for d in refused.value.diagnostics] == [("INVALID_JSON_DESCRIPTION", "/States/P/Result/x")]


def test_a_deeply_nested_definition_is_a_definition_error_not_a_recursion_error():
    state: dict = {"Type": "Pass", "End": True}
    for level in range(1_500):
        state = {"Type": "Parallel", "End": True, "Branches": [{"StartAt": f"S{level}", "States": {f"S{level}": state}}]}
    with pytest.raises(DefinitionError) as refused:
        StateMachine({"StartAt": "S", "States": {"S": state}})
    (diagnostic,) = refused.value.diagnostics
    assert diagnostic.code == "INVALID_JSON_DESCRIPTION"
    assert diagnostic.message == f"nested more than {MAX_DEFINITION_DEPTH} levels deep"
    assert diagnostic.location.startswith("/States/S/Branches/0/States/S1499/")


def test_forty_nested_parallel_states_still_load_and_run():
    state: dict = {"Type": "Pass", "End": True}
    for level in range(40):
        state = {"Type": "Parallel", "End": True, "Branches": [{"StartAt": f"S{level}", "States": {f"S{level}": state}}]}
    assert StateMachine({"StartAt": "S", "States": {"S": state}}).run({}).status == "SUCCEEDED"


@pytest.mark.parametrize("value", [{"a": float("nan")}, {"a": "\ud800"}, {"a": object()}])
def test_the_library_refuses_an_execution_input_json_cannot_carry(value):
    with pytest.raises(InvalidJsonValue):
        StateMachine(PASS).run(value)


def test_an_execution_input_longer_than_start_executions_limit_is_refused():
    fits = {"a": "x" * (MAX_INPUT_LENGTH - len('{"a":""}'))}
    check_execution_input(fits)
    assert len(json.dumps(fits, separators=(",", ":"))) == MAX_INPUT_LENGTH
    with pytest.raises(InvalidJsonValue, match="at most 262144"):
        StateMachine(PASS).run({"a": fits["a"] + "x"})
