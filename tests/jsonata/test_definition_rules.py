"""Validation of JSONata-era definitions: QueryLanguage mixing, fields of the wrong language,
expressions that do not parse, variable names and scopes; mixed definitions validate and run."""
from __future__ import annotations

import pytest

from stepflow import DefinitionError, StateMachine
from stepflow.asl.validate import validate_definition
from stepflow.asl.variable_rules import variable_problems

PROCESSOR = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def errors(definition: dict) -> list[tuple[str, str]]:
    return [(d.location, d.message) for d in validate_definition(definition) if d.severity == "ERROR"]


def test_a_jsonata_machine_cannot_switch_a_state_back_to_jsonpath():
    definition = {"QueryLanguage": "JSONata", "StartAt": "P",
                  "States": {"P": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}}
    assert any(where == "/States/P" and "can not be 'JSONPath'" in message for where, message in errors(definition))


def test_a_jsonpath_machine_may_hold_jsonata_states_and_they_validate():
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input %}", "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"x.$": "$.x"}, "End": True}}}
    assert errors(definition) == []
    assert StateMachine(definition).run({"x": 1}).output == {"x": 1}


@pytest.mark.parametrize("field, value", [("Parameters", {"a": 1}), ("ResultPath", "$.r"), ("InputPath", "$"),
                                          ("OutputPath", "$"), ("Result", 1)])
def test_jsonpath_fields_are_refused_in_jsonata_states(field, value):
    definition = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", field: value, "End": True}}}
    assert any(f"field '{field}'" in message for _, message in errors(definition))


@pytest.mark.parametrize("field, value", [("Output", {"a": 1}), ("Arguments", {"a": 1})])
def test_jsonata_fields_are_refused_in_jsonpath_states(field, value):
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                                                   field: value, "End": True}}}
    assert any(f"field '{field}'" in message for _, message in errors(definition))


def test_an_expression_that_does_not_parse_is_refused_at_its_place():
    definition = {"QueryLanguage": "JSONata", "StartAt": "P",
                  "States": {"P": {"Type": "Pass", "Output": {"a": {"b": "{% $states.input. %}"}}, "End": True}}}
    with pytest.raises(DefinitionError) as raised:
        StateMachine(definition)
    assert [d.location for d in raised.value.diagnostics] == ["/States/P/Output/a/b"]


def test_variable_names_are_identifiers_of_at_most_80_characters_and_states_is_reserved():
    definition = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Assign": {
        "ok_name": 1, "_private": 2, "prénom": 3, "1st": 4, "with-dash": 5, "states": 6, "x" * 81: 7,
    }, "End": True}}}
    assert [(d.location, d.message.split(" ")[3]) for d in variable_problems(definition)] == [
        ("/States/P/Assign/1st", "'1st'"),
        ("/States/P/Assign/with-dash", "'with-dash'"),
        ("/States/P/Assign/states", "'states'"),
        (f"/States/P/Assign/{'x' * 81}", f"'{'x' * 81}'"),
    ]


def test_jsonpath_assign_names_drop_the_dollar_suffix_and_choice_and_catch_assigns_count():
    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "D",
                                             "Assign": {"good.$": "$.a", "bad name.$": "$.a"}}], "Default": "D"},
        "D": {"Type": "Succeed"}}}
    assert [d.location for d in variable_problems(definition)] == ["/States/C/Choices/0/Assign/bad name.$"]


def test_an_inner_scope_may_not_assign_an_outer_variable_but_may_read_it_and_use_new_names():
    def machine(inner_assign: dict) -> dict:
        return {"QueryLanguage": "JSONata", "StartAt": "Outer", "States": {
            "Outer": {"Type": "Pass", "Assign": {"total": 0}, "Next": "Fan"},
            "Fan": {"Type": "Map", "Items": [1, 2], "End": True, "ItemProcessor": {"StartAt": "Inner", "States": {
                "Inner": {"Type": "Pass", "Assign": inner_assign, "Output": "{% $total %}", "End": True}}}}}}

    problems = variable_problems(machine({"total": "{% $total + 1 %}"}))
    assert [d.location for d in problems] == ["/States/Fan/ItemProcessor/States/Inner/Assign/total"]
    with pytest.raises(DefinitionError) as raised:
        StateMachine(machine({"total": 1}))
    assert [d.location for d in raised.value.diagnostics] == ["/States/Fan/ItemProcessor/States/Inner/Assign/total"]
    assert StateMachine(machine({"mine": "{% $total + 1 %}"})).run().output == [0, 0]


def test_sibling_branches_may_use_the_same_variable_names():
    def branch(name: str) -> dict:
        return {"StartAt": name, "States": {name: {"Type": "Pass", "Assign": {"local": 1}, "End": True}}}

    definition = {"QueryLanguage": "JSONata", "StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "Branches": [branch("A"), branch("B")], "End": True}}}
    assert variable_problems(definition) == []
