"""Recorded answers and causes for paths, Wait, Map and Fail fields, and JSONata Map Items.

Evidence: localstack/localstack, AWS-validated snapshots under
``tests/aws/services/stepfunctions/v2/`` with the templates under
``tests/aws/services/stepfunctions/templates/``:
- ``base/test_base.snapshot.json`` (test_json_path_array_wildcard_or_slice_with_no_input[...]):
  wildcards and slices over a missing array give ``[]`` and the execution succeeds;
- ``scenarios/test_base_scenarios.snapshot.json``: test_escape_sequence_parsing[ESCAPE_SEQUENCES_JSONPATH]
  (``escape_sequences_jsonpath.json5``), test_max_concurrency_path[...] (``max_concurrency_path.json5``),
  test_invalid_jsonpath[INVALID_JSONPATH_IN_ERRORPATH / ST.INVALID_JSONPATH_IN_CAUSEPATH],
  test_map_state_items_eval_jsonata_fail[...], test_map_state_items_variable_sampling[...],
  test_map_state_items_input_types[...] (``map_state_items*.json5``),
  test_wait_timestamp_jsonata[NO_T|NO_Z|INVALID_DATE|INVALID_TIME|INVALID_ISO];
- ``base/test_wait.snapshot.json``: SecondsPath -1, 1.5 and -1.5;
- ``intrinsic_functions/test_array_jsonata.snapshot.json`` (test_array_range): ``$range(1, 9, 9)`` is ``1``.
The LocalStack transformer shows the Fail input as ``<json-input:1>``; the input itself is the
Pass state's output, ``{"Error":"error-value"}``.
"""
from __future__ import annotations

import json

import pytest

from stepflow import DefinitionError, StateMachine

from .recorded import assert_links, details, run

PREFIX = "An error occurred while executing the state '{name}' (entered at the event id #{entered}). "


@pytest.mark.parametrize("path", [
    "$[*]", "$.items[*]", "$.items[1:]", "$.items[:1]", "$.item.items[*]", "$.item.items[1:]",
    "$.item.items[:1]", "$.item.items[1:5]", "$.items[*].itemValue", "$.items[1:].itemValue",
    "$.items[:1].itemValue", "$.item.items[1:5].itemValue",
])
def test_wildcards_and_slices_over_a_missing_array_give_an_empty_array(path):
    definition = {"StartAt": "EntryState", "States": {
        "EntryState": {"Type": "Pass", "Parameters": {"item.$": path}, "End": True}}}
    execution = run(definition, {})
    assert_links(execution, [("ExecutionStarted", 0), ("PassStateEntered", 0), ("PassStateExited", 2),
                             ("ExecutionSucceeded", 3)])
    assert execution.output == {"item": []}


def test_a_backslash_in_a_quoted_name_stays_in_the_name():
    definition = {"StartAt": "JsonPathEscapeTest", "States": {"JsonPathEscapeTest": {
        "Type": "Pass", "Parameters": {"value.$": "$['Test\\\"\"Name\"']"}, "End": True}}}
    execution = run(definition, {'Test\\""Name"': 'Value"\\'})
    assert execution.output == {"value": 'Value"\\'}


def seconds_path_wait() -> dict:
    return {"StartAt": "WaitState", "States": {
        "WaitState": {"Type": "Wait", "SecondsPath": "$.input.waitSeconds", "End": True}}}


@pytest.mark.parametrize(("value", "problem"), [
    (-1, "references a negative value: $.input.waitSeconds == -1"),
    (1.5, "cannot be parsed as a long value: $.input.waitSeconds == 1.5"),
    (-1.5, "cannot be parsed as a long value: $.input.waitSeconds == -1.5"),
])
def test_seconds_path_causes(value, problem):
    execution = run(seconds_path_wait(), {"input": {"waitSeconds": value}})
    assert_links(execution, [("ExecutionStarted", 0), ("WaitStateEntered", 0), ("ExecutionFailed", 2)])
    assert (execution.error, execution.cause) == (
        "States.Runtime", PREFIX.format(name="WaitState", entered=2) + f"The SecondsPath parameter {problem}")


def max_concurrency_map() -> dict:
    return {"StartAt": "MapState", "States": {
        "MapState": {"Type": "Map", "ItemsPath": "$.Values", "MaxConcurrencyPath": "$.MaxConcurrencyValue",
                     "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "HandleItem",
                                       "States": {"HandleItem": {"Type": "Pass", "End": True}}},
                     "Next": "Final"},
        "Final": {"Type": "Pass", "End": True}}}


@pytest.mark.parametrize(("value", "shown"), [({}, "{}"), ("NoNumber", "NoNumber")])
def test_max_concurrency_path_that_is_not_an_integer(value, shown):
    execution = run(max_concurrency_map(), {"MaxConcurrencyValue": value, "Values": ["HelloWorld"]})
    assert_links(execution, [("ExecutionStarted", 0), ("MapStateEntered", 0), ("ExecutionFailed", 2)])
    assert (execution.error, execution.cause) == (
        "States.Runtime",
        PREFIX.format(name="MapState", entered=2)
        + f'The MaxConcurrencyPath field refers to value "{shown}" which is not a valid integer: $.MaxConcurrencyValue',
    )


@pytest.mark.parametrize("value", [0, 1, "1"])
def test_max_concurrency_path_integers_and_numeric_strings_run_the_map(value):
    # 0 and 1 are recorded; a numeric string is read as its integer (LocalStack's note on the test).
    execution = run(max_concurrency_map(), {"MaxConcurrencyValue": value, "Values": ["HelloWorld"]})
    assert execution.status == "SUCCEEDED"
    assert execution.output == ["HelloWorld"]
    assert details(execution, 3) == {"length": 1}


@pytest.mark.parametrize(("field", "path"), [("ErrorPath", "$.ErrorX"), ("CausePath", "$.NoSuchCausePath")])
def test_error_or_cause_path_that_finds_nothing(field, path):
    paths = {"ErrorPath": "$.Error", "CausePath": "$.Cause", field: path}
    definition = {"StartAt": "pass", "States": {
        "pass": {"Type": "Pass", "Result": {"Error": "error-value"}, "Next": "fail"},
        "fail": {"Type": "Fail", **paths}}}
    execution = run(definition, {"int-literal": 0})
    assert_links(execution, [("ExecutionStarted", 0), ("PassStateEntered", 0), ("PassStateExited", 2),
                             ("FailStateEntered", 3), ("ExecutionFailed", 4)])
    assert (execution.error, execution.cause) == (
        "States.Runtime",
        PREFIX.format(name="fail", entered=4)
        + f"The JSONPath '{path}' specified for the field '{field}' could not be found in the input "
        + "'{\"Error\":\"error-value\"}'",
    )


def jsonata_map(items=None, assign=None, start_output=None) -> dict:
    mapper = {"Type": "Map", "MaxConcurrency": 1, "End": True, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Pass", "States": {"Pass": {"Type": "Pass", "End": True}}}}
    if items is not None:
        mapper["Items"] = items
    states = {"MapIterateState": mapper}
    if assign is None and start_output is None:
        return {"QueryLanguage": "JSONata", "StartAt": "MapIterateState", "States": states}
    start = {"Type": "Pass", "Next": "MapIterateState"}
    start.update({"Assign": assign} if assign is not None else {"Output": start_output})
    return {"QueryLanguage": "JSONata", "StartAt": "Start", "States": {"Start": start, **states}}


KINDS = [("1", 1, "number"), ("'string'", "string", "string"), ("true", True, "boolean"),
         ("{'foo': 'bar'}", {"foo": "bar"}, "object"), ("null", None, "null")]


@pytest.mark.parametrize(("literal", "value", "kind"), KINDS)
def test_jsonata_items_that_is_not_an_array(literal, value, kind):
    execution = run(jsonata_map(items=f"{{% {literal} %}}"), {})
    cause = (PREFIX.format(name="MapIterateState", entered=2)
             + f"The JSONata expression '{literal}' specified for the field 'Items' returned an unexpected "
             + f"result type. Expected 'array', but was '{kind}' for value: {json.dumps(value, separators=(',', ':'))}")
    assert (execution.error, execution.cause) == ("States.QueryEvaluationError", cause)
    assert_links(execution, [("ExecutionStarted", 0), ("MapStateEntered", 0), ("EvaluationFailed", 0),
                             ("MapStateFailed", 3), ("ExecutionFailed", 4)])
    assert details(execution, 3) == {"error": "States.QueryEvaluationError", "cause": cause,
                                     "location": "Items", "state": "MapIterateState"}


@pytest.mark.parametrize(("literal", "value", "kind"), KINDS)
def test_jsonata_items_from_a_variable_that_is_not_an_array(literal, value, kind):
    execution = run(jsonata_map(items="{% $ItemsVar %}", assign={"ItemsVar": value}), {})
    assert (execution.error, execution.cause) == (
        "States.QueryEvaluationError",
        PREFIX.format(name="MapIterateState", entered=4)
        + f"The JSONata expression '$ItemsVar' specified for the field 'Items' returned an unexpected result "
        + f"type. Expected 'array', but was '{kind}' for value: {json.dumps(value, separators=(',', ':'))}",
    )


@pytest.mark.parametrize(("literal", "value", "kind"), KINDS)
def test_jsonata_map_without_items_over_an_input_that_is_not_an_array(literal, value, kind):
    execution = run(jsonata_map(start_output="{% $states.input.items %}"), {"items": value})
    cause = (PREFIX.format(name="MapIterateState", entered=4)
             + f"Map state input must be an array but was: {json.dumps(value, separators=(',', ':'))}")
    assert (execution.error, execution.cause) == ("States.QueryEvaluationError", cause)
    assert_links(execution, [("ExecutionStarted", 0), ("PassStateEntered", 0), ("PassStateExited", 2),
                             ("MapStateEntered", 3), ("EvaluationFailed", 3), ("MapStateFailed", 5),
                             ("ExecutionFailed", 6)])
    assert details(execution, 5) == {"error": "States.QueryEvaluationError", "cause": cause, "state": "MapIterateState"}


@pytest.mark.parametrize("items", ["plain text", None, {"a": 1}])
def test_jsonata_items_neither_an_array_nor_an_expression_is_refused_with_the_definition(items):
    # Guide, Map state: Items is "a JSON array or a JSONata expression that must evaluate to an array".
    with pytest.raises(DefinitionError) as refused:
        StateMachine(jsonata_map(items=items) if items is not None else
                     {**jsonata_map(), "States": {"MapIterateState": {**jsonata_map()["States"]["MapIterateState"],
                                                                      "Items": None}}})
    assert [(d.code, d.location) for d in refused.value.diagnostics] == [
        ("SCHEMA_VALIDATION_FAILED", "/States/MapIterateState/Items")]


@pytest.mark.parametrize("value", ["2016-12-05 21:29:29Z", "2016-12-05T21:29:29", "2016-13-05T21:29:29Z",
                                   "2016-12-05T25:29:29Z", "05-12-2016T21:29:29Z"])
def test_jsonata_wait_timestamp_that_is_not_a_timestamp(value):
    definition = {"QueryLanguage": "JSONata", "StartAt": "WaitState", "States": {
        "WaitState": {"Type": "Wait", "Timestamp": "{% $states.input.TimestampValue %}", "End": True}}}
    execution = run(definition, {"TimestampValue": value})
    cause = (PREFIX.format(name="WaitState", entered=2)
             + f"The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {value}")
    assert (execution.error, execution.cause) == ("States.QueryEvaluationError", cause)
    assert details(execution, 3) == {"error": "States.QueryEvaluationError", "cause": cause,
                                     "location": "Timestamp", "state": "WaitState"}


@pytest.mark.parametrize(("arguments", "output"), [((0, 9, 3), [0, 3, 6, 9]), ((0, 10, 3), [0, 3, 6, 9]),
                                                   ((1, 9, 9), 1), ((1, 9, 2), [1, 3, 5, 7, 9])])
def test_range_of_one_value_is_that_value(arguments, output):
    definition = {"StartAt": "State_0", "States": {"State_0": {
        "QueryLanguage": "JSONata", "Type": "Pass", "End": True,
        "Output": "{% $range($states.input.fst, $states.input.snd, $states.input.trd) %}"}}}
    fst, snd, trd = arguments
    assert run(definition, {"fst": fst, "snd": snd, "trd": trd}).output == output
