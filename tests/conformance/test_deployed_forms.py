"""Forms that definitions AWS deploys use, which stepflow used to refuse; each runs as AWS runs it.

Evidence: AWS-authored samples that deploy with them (aws-samples repositories, MIT-0; the files are
in tests/asl/public_definitions/, SOURCES.md): ``workflows--parallel-agent-early-stopping.json``
(``$`` inside a filter), ``examples--app-decompose-for-parallelism-statemachine.json``
(``'$$.Execution.Name '``), ``workflows--textract-analyze-expense-tf.json`` and
``examples--app-dataquality-using-lambda-statemachine.json`` (unquoted words in filters, which the
samples use as strings), ``patterns--eventbridge-pipes-sqs-to-lambda-with-stepfunction-enrichment.json``
(a Pass state whose Parameters is an array). HeartbeatSeconds equal to TimeoutSeconds was seen
deployed in a survey of public definitions; that sample is not among those found here, so this one
rests on the report alone (the spec's wording, "smaller than", is what AWS's deployments contradict).
"""
from __future__ import annotations

from stepflow.asl.validate import validate_definition

from .recorded import run


def one(state: dict) -> dict:
    return {"StartAt": "S", "States": {"S": {**state, "End": True}}}


def test_a_filter_may_compare_with_another_value_of_the_input():
    data = {"agent_id": 2, "approaches": [{"workerId": 1, "approach": "a"}, {"workerId": 2, "approach": "b"}]}
    template = one({"Type": "Pass", "Parameters": {"winning.$": "$.approaches[?(@.workerId == $.agent_id)].approach"}})
    assert run(template, data).output == {"winning": ["b"]}
    output_path = one({"Type": "Pass", "OutputPath": "$.approaches[?(@.workerId == $.agent_id)]"})
    assert run(output_path, data).output == [{"workerId": 2, "approach": "b"}]


def test_a_reference_path_still_may_not_hold_a_filter():
    definition = one({"Type": "Pass", "ResultPath": "$.items[?(@.id == $.wanted)]"})
    assert [d.code for d in validate_definition(definition)] == ["SCHEMA_VALIDATION_FAILED"]


def test_a_path_with_a_trailing_blank_is_read_trimmed():
    definition = one({"Type": "Pass", "Parameters": {"execution_name.$": "$$.Execution.Name "}})
    assert validate_definition(definition) == []
    execution = run(definition)
    assert execution.output == {"execution_name": execution.name}


def test_an_unquoted_word_in_a_filter_is_compared_as_a_string_with_a_warning():
    definition = one({"Type": "Pass", "InputPath": "$..QualityResults[?(@.constraint_status==Failure)]"})
    diagnostics = validate_definition(definition)
    assert [(d.severity, d.code, d.location) for d in diagnostics] == [
        ("WARNING", "UNQUOTED_FILTER_WORD", "/States/S/InputPath")]
    results = {"QualityResults": [{"constraint_status": "Failure", "id": 1}, {"constraint_status": "Success", "id": 2}]}
    assert run(definition, results).output == [{"constraint_status": "Failure", "id": 1}]


def test_a_pass_state_parameters_may_be_an_array_rendered_as_a_template():
    definition = one({"Type": "Pass", "Parameters": [{"id.$": "$.id"}, "literal", 3]})
    assert validate_definition(definition) == []
    assert run(definition, {"id": 7}).output == [{"id": 7}, "literal", 3]


def test_heartbeat_seconds_may_equal_timeout_seconds():
    definition = one({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 300,
                      "HeartbeatSeconds": 300, "Parameters": {"FunctionName": "f"}})
    assert validate_definition(definition) == []
