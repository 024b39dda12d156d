"""Static validation: every problem at once, with AWS's codes and a JSON pointer to each."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from stepflow.asl.errors import DefinitionError
from stepflow.asl.loader import load_definition
from stepflow.asl.model import MapState, StateMachineDefinition
from stepflow.asl.validate import parse_definition, pointer, validate_definition

# Shaped like the AWS developer guide's error-handling examples: Retry, Catch, Parallel and Map.
GOOD: dict[str, Any] = {
    "Comment": "A valid machine using most of the language",
    "StartAt": "Detect",
    "States": {
        "Detect": {
            "Type": "Task",
            "Resource": "${FaceDetectionFunctionArn}",
            "Parameters": {"photo.$": "$.photo", "id.$": "States.UUID()", "fixed": "yes"},
            "ResultSelector": {"faces.$": "$.Payload.faces"},
            "ResultPath": "$.detected",
            "TimeoutSeconds": 30,
            "HeartbeatSeconds": 10,
            "Retry": [
                {"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "BackoffRate": 2.0},
                {"ErrorEquals": ["States.ALL"], "MaxAttempts": 1},
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
            "Next": "HowMany",
        },
        "HowMany": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.detected.faces[0]", "IsPresent": True, "Next": "Fanout"},
                {"And": [{"Variable": "$.n", "NumericGreaterThan": 1},
                         {"Not": {"Variable": "$.kind", "StringEquals": "x"}}], "Next": "Fanout"},
            ],
            "Default": "Failed",
        },
        "Fanout": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": 1, "End": True}}},
                {"StartAt": "Each", "States": {"Each": {
                    "Type": "Map", "ItemsPath": "$.detected.faces", "MaxConcurrency": 2,
                    "ItemSelector": {"face.$": "$$.Map.Item.Value"},
                    "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Keep",
                                      "States": {"Keep": {"Type": "Pass", "End": True}}},
                    "End": True}}},
            ],
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
        "Failed": {"Type": "Fail", "Error": "DetectionFailed", "CausePath": "$.error.Cause"},
    },
}


def diagnostics(definition: dict[str, Any]) -> set[tuple[str, str]]:
    return {(d.code, d.location) for d in validate_definition(definition)}


def changed(path: str, value: Any = None, *, delete: bool = False) -> dict[str, Any]:
    """GOOD with one field (named by a JSON pointer) replaced or deleted."""
    definition = copy.deepcopy(GOOD)
    *parents, last = [int(p) if p.isdigit() else p for p in path.strip("/").split("/")]
    node = definition
    for part in parents:
        node = node[part]
    if delete:
        del node[last]
    else:
        node[last] = value
    return definition


def test_a_valid_machine_has_no_diagnostics():
    assert validate_definition(GOOD) == []


def test_parse_definition_returns_the_typed_model():
    parsed = parse_definition(GOOD)
    assert isinstance(parsed, StateMachineDefinition)
    branch = parsed.States["Fanout"].Branches[1]
    assert isinstance(branch.States["Each"], MapState)


def test_parse_definition_raises_with_every_error():
    broken = changed("/States/Detect/Next", "Nowhere")
    broken["States"]["Done"]["Next"] = "Detect"
    with pytest.raises(DefinitionError) as caught:
        parse_definition(broken)
    codes = {(d.code, d.location) for d in caught.value.diagnostics}
    assert ("MISSING_TRANSITION_TARGET", "/States/Detect/Next") in codes
    assert ("SCHEMA_VALIDATION_FAILED", "/States/Done") in codes


def test_parse_definition_accepts_warnings_only():
    with_warning = changed("/States/Detect/Parameters/fixed", "$.looks.like.a.path")
    assert [d.code for d in validate_definition(with_warning)] == ["NO_DOLLAR"]
    assert parse_definition(with_warning).States["Detect"].Parameters["fixed"] == "$.looks.like.a.path"


def test_pointers_escape_slash_and_tilde_per_rfc_6901():
    assert pointer("States", "a/b~c", 0) == "/States/a~1b~0c/0"


# --- shape ----------------------------------------------------------------------------------------


def test_unknown_field_is_not_supported_at_the_state():
    assert diagnostics(changed("/States/Done/Resource", "arn:x")) == {
        ("SCHEMA_VALIDATION_FAILED", "/States/Done")
    }
    [diagnostic] = validate_definition(changed("/States/Done/Resource", "arn:x"))
    assert diagnostic.message == "Field 'Resource' is not supported"


def test_timeout_seconds_is_supported_on_task_only():
    # Measured on AWS: Field 'TimeoutSeconds' is not supported, at the Map / Parallel state.
    assert diagnostics(changed("/States/Fanout/TimeoutSeconds", 5)) == {
        ("SCHEMA_VALIDATION_FAILED", "/States/Fanout")
    }


def test_missing_fields_are_listed_together_at_their_object():
    found = validate_definition(changed("/States/Detect/Resource", delete=True))
    assert [(d.location, d.message) for d in found] == [
        ("/States/Detect", "These fields are required: [Resource]")
    ]


def test_missing_type_is_a_required_field():
    found = validate_definition(changed("/States/Done/Type", delete=True))
    assert [(d.location, d.message) for d in found] == [("/States/Done", "These fields are required: [Type]")]


def test_unknown_state_type_names_the_type_field():
    [diagnostic] = validate_definition(changed("/States/Done/Type", "Sleep"))
    assert diagnostic.location == "/States/Done/Type"
    assert "Sleep" in diagnostic.message and "Succeed" in diagnostic.message


def test_bad_value_in_a_nested_machine_is_located_inside_it():
    found = diagnostics(changed("/States/Fanout/Branches/1/States/Each/MaxConcurrency", -1))
    assert found == {("SCHEMA_VALIDATION_FAILED", "/States/Fanout/Branches/1/States/Each/MaxConcurrency")}


def test_wrong_json_type_names_the_expected_json_type():
    [diagnostic] = validate_definition(changed("/States/Detect/Retry/0/MaxAttempts", "3"))
    assert (diagnostic.location, diagnostic.message) == (
        "/States/Detect/Retry/0/MaxAttempts", "The value of field 'MaxAttempts' should be an integer"
    )
    [diagnostic] = validate_definition(changed("/States/Detect/Catch/0", 5))
    assert diagnostic.message == "The value of item 0 of 'Catch' should be an object"
    [diagnostic] = validate_definition(changed("/States/HowMany/Choices/1/And/0/NumericGreaterThan", "1"))
    assert diagnostic.message == "The value of field 'NumericGreaterThan' should be a number"
    [diagnostic] = validate_definition(changed("/States/Detect/TimeoutSeconds", 1.5))
    assert diagnostic.message == "The value of field 'TimeoutSeconds' should be an integer or a string"


# --- transitions and the graph ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, location",
    [
        ("/States/Detect/Next", "/States/Detect/Next"),
        ("/States/HowMany/Default", "/States/HowMany/Default"),
        ("/States/HowMany/Choices/1/Next", "/States/HowMany/Choices/1/Next"),
        ("/States/Detect/Catch/0/Next", "/States/Detect/Catch/0/Next"),
    ],
)
def test_a_transition_to_a_missing_state_is_a_missing_transition_target(field: str, location: str):
    found = validate_definition(changed(field, "Nowhere"))
    assert ("MISSING_TRANSITION_TARGET", location, "Missing 'Next' target: Nowhere") in {
        (d.code, d.location, d.message) for d in found
    }


def test_start_at_must_name_a_state():
    assert ("MISSING_TRANSITION_TARGET", "/StartAt") in diagnostics(changed("/StartAt", "Nowhere"))


def test_a_state_nothing_leads_to_is_not_reachable():
    found = validate_definition(changed("/States/Orphan", {"Type": "Pass", "End": True}))
    assert [(d.code, d.location, d.message) for d in found] == [
        ("MISSING_TRANSITION_TARGET", "/States/Orphan", 'State "Orphan" is not reachable.')
    ]


def test_reachability_is_checked_inside_branches():
    branch = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}
    assert diagnostics(changed("/States/Fanout/Branches/0", branch)) == {
        ("MISSING_TRANSITION_TARGET", "/States/Fanout/Branches/0/States/B")
    }


def test_a_loop_without_terminal_state_is_missing_end_state_and_hides_reachability():
    # Measured on AWS: only MISSING_END_STATE, even with a state nothing routes to.
    loop = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                       "B": {"Type": "Pass", "Next": "A"},
                                       "C": {"Type": "Pass", "Next": "A"}}}
    found = validate_definition(loop)
    assert [(d.code, d.message) for d in found] == [("MISSING_END_STATE", "Workflow has no terminal state")]


def test_next_and_end_together_or_neither_are_refused():
    both = changed("/States/Detect/End", True)
    neither = changed("/States/Detect/Next", delete=True)
    assert ("SCHEMA_VALIDATION_FAILED", "/States/Detect") in diagnostics(both)
    assert ("SCHEMA_VALIDATION_FAILED", "/States/Detect") in diagnostics(neither)


def test_terminal_states_cannot_have_next():
    found = validate_definition(changed("/States/Done/Next", "Failed"))
    assert [(d.location, d.message) for d in found] == [("/States/Done", "Field 'Next' is not supported")]


def test_an_empty_state_name_is_invalid():
    definition = {"StartAt": "", "States": {"": {"Type": "Succeed"}}}
    assert diagnostics(definition) == {("INVALID_STATE_NAME", "/States/")}


def test_state_names_longer_than_80_characters_are_invalid():
    definition = changed("/States/Done", delete=True)
    definition["States"]["Fanout"]["Next"] = "N" * 81
    definition["States"]["N" * 81] = {"Type": "Succeed"}
    assert diagnostics(definition) == {("INVALID_STATE_NAME", "/States/" + "N" * 81)}
    definition["States"]["N" * 80] = definition["States"].pop("N" * 81)
    definition["States"]["Fanout"]["Next"] = "N" * 80
    assert diagnostics(definition) == set()


def test_duplicate_state_names_in_one_object_are_reported_from_the_loaded_text():
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "A": {"Type": "Succeed"}}}'
    assert diagnostics(load_definition(text)) == {("DUPLICATE_STATE_NAME", "/States/A")}


def test_duplicate_state_names_across_branches_are_reported():
    definition = changed("/States/Fanout/Branches/0/States", {"Done": {"Type": "Succeed"}})
    definition["States"]["Fanout"]["Branches"][0]["StartAt"] = "Done"
    assert diagnostics(definition) == {("DUPLICATE_STATE_NAME", "/States/Done")}


def test_a_repeated_field_is_a_schema_error():
    text = '{"StartAt": "A", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'
    assert diagnostics(load_definition(text)) == {("SCHEMA_VALIDATION_FAILED", "/StartAt")}


# --- expressions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("/States/Detect/ResultPath", "$.a["),
        ("/States/Detect/ResultPath", "$$.context"),
        ("/States/Detect/ResultPath", "$.items[*]"),
        ("/States/Fanout/Branches/1/States/Each/ItemsPath", "photos"),
        ("/States/Failed/CausePath", "$..["),
        ("/States/Failed/CausePath", "States.Format("),
        ("/States/Detect/Catch/0/ResultPath", "error"),
    ],
)
def test_bad_paths_are_reported_at_their_field(field: str, value: str):
    assert ("SCHEMA_VALIDATION_FAILED", field) in diagnostics(changed(field, value))


@pytest.mark.parametrize(
    "field, value",
    [
        ("/States/Fanout/Branches/1/States/Each/ItemsPath", "$.faces[*]"),
        ("/States/Failed/CausePath", "$..Cause"),
    ],
)
def test_reference_path_fields_refuse_query_paths(field: str, value: str):
    found = validate_definition(changed(field, value))
    assert [(d.location, "reference path" in d.message) for d in found] == [(field, True)]


def test_fail_paths_accept_only_the_string_intrinsics():
    assert validate_definition(changed("/States/Failed/CausePath", "States.Format('bad {}', $.id)")) == []
    [diagnostic] = validate_definition(changed("/States/Failed/CausePath", "States.ArrayLength($.list)"))
    assert diagnostic.location == "/States/Failed/CausePath"
    assert "States.ArrayLength" in diagnostic.message


def test_bad_intrinsic_in_a_template_is_reported_at_its_key():
    found = validate_definition(changed("/States/Detect/Parameters/id.$", "States.NoSuchFunction()"))
    assert [d.location for d in found] == ["/States/Detect/Parameters/id.$"]
    assert "States.NoSuchFunction" in found[0].message


def test_bad_choice_rule_is_reported_at_the_rule():
    rule = {"Variable": "$.n", "NumericGreaterThan": 1, "StringEquals": "x", "Next": "Fanout"}
    assert diagnostics(changed("/States/HowMany/Choices/0", rule)) == {
        ("SCHEMA_VALIDATION_FAILED", "/States/HowMany/Choices/0")
    }


def test_bad_timestamp_in_a_nested_choice_rule_is_located():
    found = diagnostics(changed("/States/HowMany/Choices/1/And/1/Not", {"Variable": "$.t", "TimestampEquals": "now"}))
    assert found == {("SCHEMA_VALIDATION_FAILED", "/States/HowMany/Choices/1/And/1/Not/TimestampEquals")}


def test_choice_needs_choices():
    found = diagnostics(changed("/States/HowMany/Choices", []))
    assert ("SCHEMA_VALIDATION_FAILED", "/States/HowMany/Choices") in found
    assert ("MISSING_TRANSITION_TARGET", "/States/Fanout") in found  # no rule leads there any more


def test_path_looking_values_get_aws_warnings():
    assert diagnostics(changed("/States/Detect/Parameters/fixed", "States.UUID()")) == {
        ("NO_DOLLAR", "/States/Detect/Parameters/fixed")
    }
    assert diagnostics(changed("/States/Failed/Error", "$.error")) == {("NO_PATH", "/States/Failed/Error")}
    assert diagnostics(changed("/States/HowMany/Choices/1/And/1/Not/StringEquals", "$.other")) == {
        ("NO_PATH", "/States/HowMany/Choices/1/And/1/Not/StringEquals")
    }


def test_pass_result_with_dollar_fields_is_static():
    definition = changed("/States/Fanout/Branches/0/States/Pause", {"Type": "Pass", "Result": {"a.$": "$.x"},
                                                                      "End": True})
    found = validate_definition(definition)
    assert [(d.code, d.severity) for d in found] == [("PASS_RESULT_IS_STATIC", "WARNING")]


# --- error handling ---------------------------------------------------------------------------------


def test_states_all_must_be_alone_and_last():
    definition = changed("/States/Detect/Retry", [
        {"ErrorEquals": ["States.ALL", "Custom"]},
        {"ErrorEquals": ["Lambda.ServiceException"]},
    ])
    assert diagnostics(definition) == {
        ("SCHEMA_VALIDATION_FAILED", "/States/Detect/Retry/0/ErrorEquals"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Detect/Retry/0"),
    }
    catch_first = changed("/States/Detect/Catch", [
        {"ErrorEquals": ["States.ALL"], "Next": "Failed"},
        {"ErrorEquals": ["Custom"], "Next": "Failed"},
    ])
    assert diagnostics(catch_first) == {("SCHEMA_VALIDATION_FAILED", "/States/Detect/Catch/0")}


def test_retry_and_catch_are_not_supported_on_pass():
    definition = changed("/States/Fanout/Branches/0/States/Pause/Retry", [{"ErrorEquals": ["States.ALL"]}])
    found = validate_definition(definition)
    assert [(d.location, d.message) for d in found] == [
        ("/States/Fanout/Branches/0/States/Pause", "Field 'Retry' is not supported")
    ]


def test_backoff_rate_below_one_is_refused():
    assert diagnostics(changed("/States/Detect/Retry/0/BackoffRate", 0.5)) == {
        ("SCHEMA_VALIDATION_FAILED", "/States/Detect/Retry/0/BackoffRate")
    }


# --- per state type -----------------------------------------------------------------------------------


def test_wait_needs_exactly_one_timing_field():
    pause = "/States/Fanout/Branches/0/States/Pause"
    assert ("SCHEMA_VALIDATION_FAILED", pause) in diagnostics(changed(f"{pause}/Seconds", delete=True))
    assert ("SCHEMA_VALIDATION_FAILED", pause) in diagnostics(changed(f"{pause}/SecondsPath", "$.s"))


def test_wait_timestamp_must_be_rfc3339():
    pause = "/States/Fanout/Branches/0/States/Pause"
    definition = changed(f"{pause}/Seconds", delete=True)
    definition["States"]["Fanout"]["Branches"][0]["States"]["Pause"]["Timestamp"] = "2016-03-14 01:59:00"
    assert diagnostics(definition) == {("SCHEMA_VALIDATION_FAILED", f"{pause}/Timestamp")}


def test_fail_cannot_have_both_cause_and_cause_path():
    assert diagnostics(changed("/States/Failed/Cause", "text")) == {("SCHEMA_VALIDATION_FAILED", "/States/Failed")}


def test_map_needs_exactly_one_of_item_processor_and_iterator():
    each = "/States/Fanout/Branches/1/States/Each"
    processor = GOOD["States"]["Fanout"]["Branches"][1]["States"]["Each"]["ItemProcessor"]
    iterator = {k: v for k, v in processor.items() if k != "ProcessorConfig"}
    assert ("SCHEMA_VALIDATION_FAILED", each) in diagnostics(changed(f"{each}/Iterator", iterator))
    assert diagnostics(changed(f"{each}/ItemProcessor", delete=True)) == {("SCHEMA_VALIDATION_FAILED", each)}


def test_task_resource_must_be_an_arn_or_a_substitution():
    assert diagnostics(changed("/States/Detect/Resource", "detect-faces")) == {
        ("INVALID_RESOURCE", "/States/Detect/Resource")
    }
    assert diagnostics(changed("/States/Detect/Resource", "arn:aws:states:::lambda:invoke")) == set()


def test_heartbeat_may_equal_but_not_exceed_the_timeout():
    # A survey of public definitions AWS deploys found HeartbeatSeconds equal to TimeoutSeconds
    # (see tests/conformance/test_deployed_forms.py); a larger heartbeat stays refused (the spec).
    assert diagnostics(changed("/States/Detect/HeartbeatSeconds", 30)) == set()
    assert diagnostics(changed("/States/Detect/HeartbeatSeconds", 31)) == {
        ("SCHEMA_VALIDATION_FAILED", "/States/Detect/HeartbeatSeconds")
    }


# --- query languages ----------------------------------------------------------------------------------

JSONATA: dict[str, Any] = {
    "QueryLanguage": "JSONata",
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $states.input.n > 1 %}", "Next": "Call"}],
            "Default": "Call",
        },
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
            "TimeoutSeconds": "{% $states.input.timeout %}",
            "Output": "{% $states.result.Payload %}",
            "Assign": {"count": "{% $count + 1 %}"},
            "Next": "Pause",
        },
        "Pause": {"Type": "Wait", "Seconds": "{% 1 %}", "End": True},
    },
}


def test_a_valid_jsonata_machine_has_no_diagnostics():
    assert validate_definition(JSONATA) == []


def test_jsonpath_fields_in_a_jsonata_state_are_refused():
    definition = copy.deepcopy(JSONATA)
    definition["States"]["Call"]["InputPath"] = "$.x"
    [diagnostic] = validate_definition(definition)
    assert diagnostic.location == "/States/Call"
    assert diagnostic.message == (
        "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the "
        "'JSONPath' QueryLanguage"
    )


def test_jsonata_fields_in_a_jsonpath_state_are_refused():
    [diagnostic] = validate_definition(changed("/States/Done/Output", {"a": 1}))
    assert diagnostic.message == (
        "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the "
        "'JSONata' QueryLanguage"
    )


def test_a_state_may_opt_into_jsonata_in_a_jsonpath_machine():
    definition = changed("/States/Done/Output", "{% $states.input.detected %}")
    definition["States"]["Done"]["QueryLanguage"] = "JSONata"
    assert validate_definition(definition) == []


def test_a_state_cannot_go_back_to_jsonpath_in_a_jsonata_machine():
    definition = copy.deepcopy(JSONATA)
    definition["States"]["Pause"]["QueryLanguage"] = "JSONPath"
    assert ("SCHEMA_VALIDATION_FAILED", "/States/Pause") in diagnostics(definition)


def test_a_number_field_holds_a_number_or_a_jsonata_expression():
    definition = copy.deepcopy(JSONATA)
    definition["States"]["Pause"]["Seconds"] = "soon"
    assert diagnostics(definition) == {("SCHEMA_VALIDATION_FAILED", "/States/Pause/Seconds")}
    assert diagnostics(changed("/States/Detect/TimeoutSeconds", "{% 30 %}")) == {
        ("SCHEMA_VALIDATION_FAILED", "/States/Detect/TimeoutSeconds")
    }


def test_jsonata_choice_rules_need_a_condition():
    definition = copy.deepcopy(JSONATA)
    definition["States"]["Check"]["Choices"][0] = {"Variable": "$.n", "IsPresent": True, "Next": "Call"}
    found = diagnostics(definition)
    assert ("SCHEMA_VALIDATION_FAILED", "/States/Check/Choices/0") in found


def test_item_processor_cannot_declare_a_query_language():
    each = "/States/Fanout/Branches/1/States/Each/ItemProcessor"
    assert diagnostics(changed(f"{each}/QueryLanguage", "JSONata")) == {("SCHEMA_VALIDATION_FAILED", each)}


def _positions(node: Any, prefix: str = "") -> list[str]:
    found = [prefix] if prefix else []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        found += _positions(child, f"{prefix}/{key}")
    return found


@pytest.mark.parametrize("value", [None, -1, [], [[1]], {"Type": "Choice"}, "$["])
def test_any_wrong_json_value_anywhere_gives_diagnostics_never_an_exception(value: Any):
    for position in _positions(GOOD):
        found = validate_definition(changed(position, value))
        assert all(d.location == "" or d.location.startswith("/") for d in found)


def test_distributed_map_configuration_is_checked_in_the_state_language():
    each = "/States/Fanout/Branches/1/States/Each"
    reader = {"Resource": "arn:aws:states:::s3:getObject",
              "ReaderConfig": {"InputType": "JSON"},
              "Parameters": {"Bucket.$": "$.bucket", "Key": "items.json"}}
    assert validate_definition(changed(f"{each}/ItemReader", reader)) == []
    reader["Parameters"]["Key.$"] = "$.key["
    reader["Arguments"] = {"Bucket": "b"}
    found = diagnostics(changed(f"{each}/ItemReader", reader))
    assert found == {("SCHEMA_VALIDATION_FAILED", f"{each}/ItemReader"),
                     ("SCHEMA_VALIDATION_FAILED", f"{each}/ItemReader/Parameters/Key.$")}
    batcher = {"MaxItemsPerBatchPath": "$.sizes[*]", "BatchInput": {"run.$": "$$.Execution.Id"}}
    assert diagnostics(changed(f"{each}/ItemBatcher", batcher)) == {
        ("SCHEMA_VALIDATION_FAILED", f"{each}/ItemBatcher/MaxItemsPerBatchPath")
    }


def test_a_misspelt_state_query_language_is_a_schema_error_and_counts_as_jsonata():
    definition = changed("/States/Done/QueryLanguage", "jsonpath")
    definition["States"]["Done"]["OutputPath"] = "$.x"
    found = validate_definition(definition)
    assert {(d.location, d.message.startswith("The QueryLanguage is set to 'JSONata'")) for d in found} == {
        ("/States/Done/QueryLanguage", False),
        ("/States/Done", True),
    }


WORKSHOP_DEFINITIONS = sorted((Path(__file__).resolve().parents[2] / "definitions").glob("*.asl.json"))


@pytest.mark.parametrize("path", WORKSHOP_DEFINITIONS, ids=lambda path: path.name)
def test_the_workshop_definitions_are_valid(path: Path):
    assert validate_definition(load_definition(path)) == []


MINIMAL_STATES: dict[str, dict[str, Any]] = {
    "Pass": {"Type": "Pass", "End": True},
    "Task": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True},
    "Choice": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Done"}],
               "Default": "Done"},
    "Wait": {"Type": "Wait", "Seconds": 1, "End": True},
    "Succeed": {"Type": "Succeed"},
    "Fail": {"Type": "Fail"},
    "Parallel": {"Type": "Parallel", "End": True,
                 "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}]},
    "Map": {"Type": "Map", "End": True,
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}},
}
# Field -> the state types that support it (ASL spec, AWS docs, and floci's measurements of AWS).
SUPPORTED_ON: dict[str, set[str]] = {
    "Parameters": {"Pass", "Task", "Parallel", "Map"},
    "ResultPath": {"Pass", "Task", "Parallel", "Map"},
    "ResultSelector": {"Task", "Parallel", "Map"},
    "TimeoutSeconds": {"Task"},
    "Retry": {"Task", "Parallel", "Map"},
    "Catch": {"Task", "Parallel", "Map"},
    "InputPath": {"Pass", "Task", "Choice", "Wait", "Succeed", "Parallel", "Map"},
}
FIELD_VALUES: dict[str, Any] = {
    "Parameters": {"a": 1}, "ResultPath": "$.r", "ResultSelector": {"a": 1}, "TimeoutSeconds": 5,
    "Retry": [{"ErrorEquals": ["States.ALL"]}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
    "InputPath": "$.in",
}


@pytest.mark.parametrize("field", sorted(SUPPORTED_ON))
@pytest.mark.parametrize("kind", sorted(MINIMAL_STATES))
def test_which_state_types_support_a_field(kind: str, field: str):
    state = {**MINIMAL_STATES[kind], field: FIELD_VALUES[field]}
    found = validate_definition({"StartAt": "S", "States": {"S": state, "Done": {"Type": "Succeed"}}})
    refused = [(d.location, d.message) for d in found if d.location == "/States/S"]
    if kind in SUPPORTED_ON[field]:
        assert refused == []
    else:
        assert refused == [("/States/S", f"Field '{field}' is not supported")]


def test_items_path_cannot_be_null():
    assert diagnostics(changed("/States/Fanout/Branches/1/States/Each/ItemsPath", None)) == {
        ("SCHEMA_VALIDATION_FAILED", "/States/Fanout/Branches/1/States/Each/ItemsPath")
    }


def test_assign_templates_are_checked_in_states_catchers_and_choice_rules():
    bad = {"x.$": "$.a["}
    for where in ("/States/Detect/Assign", "/States/Detect/Catch/0/Assign", "/States/HowMany/Choices/0/Assign"):
        assert diagnostics(changed(where, bad)) == {("SCHEMA_VALIDATION_FAILED", f"{where}/x.$")}
    assert validate_definition(changed("/States/HowMany/Choices/0/Assign", {"seen.$": "$.detected"})) == []


def test_a_field_no_state_of_its_type_supports_is_reported_once():
    found = validate_definition(changed("/States/Done/Arguments", {"a": 1}))
    assert [(d.location, d.message) for d in found] == [("/States/Done", "Field 'Arguments' is not supported")]


@pytest.mark.parametrize(
    "field, value, location",
    [
        ("/States/Call/Output", "{% $states.input. %}", "/States/Call/Output"),
        ("/States/Call/Arguments/Payload", {"list": [1, "{% 1 + %}"]}, "/States/Call/Arguments/Payload/list/1"),
        ("/States/Check/Choices/0/Condition", "{% $states.input.n > %}", "/States/Check/Choices/0/Condition"),
        ("/States/Pause/Seconds", "{% ( %}", "/States/Pause/Seconds"),
        ("/States/Call/Catch", [{"ErrorEquals": ["States.ALL"], "Next": "Pause",
                                  "Output": "{% $states.errorOutput[ %}"}], "/States/Call/Catch/0/Output"),
    ],
)
def test_a_jsonata_expression_that_does_not_parse_is_invalid(field: str, value: Any, location: str):
    definition = copy.deepcopy(JSONATA)
    *parents, last = [int(p) if p.isdigit() else p for p in field.strip("/").split("/")]
    node = definition
    for part in parents:
        node = node[part]
    node[last] = value
    found = validate_definition(definition)
    assert [(d.code, d.location) for d in found] == [("INVALID_JSONATA_EXPRESSION", location)]


def test_jsonata_strings_in_a_jsonpath_state_are_plain_text():
    assert validate_definition(changed("/States/Detect/Parameters/fixed", "{% not ( parsed %}")) == []


def test_expression_forms_of_numbers_and_objects_need_jsonata():
    each = "/States/Fanout/Branches/1/States/Each"
    for field, value in ((f"{each}/ItemSelector", "{% $states.input %}"),
                         (f"{each}/ItemBatcher", {"MaxItemsPerBatch": "{% 10 %}"})):
        location = field if field.endswith("ItemSelector") else f"{field}/MaxItemsPerBatch"
        assert diagnostics(changed(field, value)) == {("SCHEMA_VALIDATION_FAILED", location)}
    definition = copy.deepcopy(JSONATA)
    definition["States"]["Pause"] = {"Type": "Map", "End": True, "ItemSelector": "{% $states.input %}",
                                     "ItemBatcher": {"MaxItemsPerBatch": "ten"},
                                     "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}
    assert diagnostics(definition) == {("SCHEMA_VALIDATION_FAILED", "/States/Pause/ItemBatcher/MaxItemsPerBatch")}


# Shaped like the AWS developer guide's examples (Hello World, error handling, Map, Wait, Choice,
# intrinsic functions, ResultSelector, Parallel, Distributed Map, JSONata): valid AWS definitions
# must stay valid here.
AWS_EXAMPLES: dict[str, dict[str, Any]] = {
"hello": {"Comment": "A Hello World example of the Amazon States Language using Pass states","StartAt": "Hello","States": {"Hello": {"Type": "Pass","Result": "Hello","Next": "World"},"World": {"Type": "Pass","Result": "World","End": True}}},
"catch-error-info": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:FailFunction", "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error-info", "Next": "F"}], "End": True}, "F": {"Type": "Pass", "Result": "fallback", "End": True}}},
"map": {"StartAt": "Validate-All","States": {"Validate-All": {"Type": "Map","InputPath": "$.detail","ItemsPath": "$.shipped","MaxConcurrency": 0,"ItemSelector": {"parcel.$": "$$.Map.Item.Value", "courier.$": "$.delivery-partner"},"ItemProcessor": {"StartAt": "Validate","States": {"Validate": {"Type": "Task","Resource": "arn:aws:states:::lambda:invoke","OutputPath": "$.Payload","Parameters": {"FunctionName": "arn:aws:lambda:us-east-2:123456789012:function:ship-val:$LATEST","Payload.$": "$"},"End": True}}},"ResultPath": "$.detail.shipped","End": True}}},
"wait": {"StartAt": "W", "States": {"W": {"Type": "Wait", "TimestampPath": "$.expirydate", "Next": "W2"}, "W2": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "Next": "W3"}, "W3": {"Type": "Wait", "SecondsPath": "$.expiryseconds", "End": True}}},
"choice": {"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [
   {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
   {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
   {"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20}, {"Variable": "$.value", "NumericLessThan": 30}], "Next": "ValueInTwenties"},
   {"Variable": "$.rating", "NumericGreaterThanPath": "$.auditThreshold", "Next": "StartAudit"},
   {"Variable": "$.foo", "StringMatches": "log-*.txt", "Next": "Public"},
   {"Variable": "$.ts", "TimestampLessThan": "2016-03-14T01:59:00.123+01:00", "Next": "Public"},
   {"Variable": "$$.Execution.Input.x", "IsPresent": True, "Next": "Public"}],
   "Default": "DefaultState"},
   "Public": {"Type": "Succeed"}, "ValueIsZero": {"Type": "Succeed"}, "ValueInTwenties": {"Type": "Succeed"}, "StartAudit": {"Type": "Succeed"},
   "DefaultState": {"Type": "Fail", "Error": "DefaultStateError", "Cause": "No Matches!"}}},
"intrinsics": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hello, my name is {}.', $.name)", "arr.$": "States.Array($.a, $.b)", "json.$": "States.StringToJson($.s)", "u.$": "States.UUID()", "m.$": "States.MathAdd($.x, 1)", "nested": {"p.$": "$.p", "list": [{"q.$": "$.q"}]}}, "End": True}}},
"resultselector": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::elasticmapreduce:createCluster.sync", "Parameters": {"Name": "MyWorkflowCluster"}, "ResultSelector": {"ClusterId.$": "$.output.ClusterId", "ResourceType.$": "$.resourceType"}, "ResultPath": "$.EMROutput", "TimeoutSeconds": 3600, "HeartbeatSecondsPath": "$.hb", "Credentials": {"RoleArn.$": "$.roleArn"}, "End": True}}},
"parallel": {"StartAt": "LookupCustomerInfo","States": {"LookupCustomerInfo": {"Type": "Parallel","End": True,"Branches": [{"StartAt": "LookupAddress","States": {"LookupAddress": {"Type": "Task","Resource": "arn:aws:lambda:us-east-1:123456789012:function:AddressFinder","End": True}}},{"StartAt": "LookupPhone","States": {"LookupPhone": {"Type": "Task","Resource": "arn:aws:lambda:us-east-1:123456789012:function:PhoneFinder","End": True}}}], "ResultSelector": {"flattenArray.$": "$[*][*]"}, "Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 3, "MaxAttempts": 2, "BackoffRate": 1.5, "MaxDelaySeconds": 10, "JitterStrategy": "FULL"}]}}},
"distributed": {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}, "Parameters": {"Bucket": "b", "Key": "k.csv"}}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "Label": "m", "MaxConcurrency": 1000, "ToleratedFailurePercentage": 5, "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "out"}}, "ItemBatcher": {"MaxItemsPerBatch": 10, "BatchInput": {"f.$": "$.f"}}, "End": True}}},
"jsonata": {"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"FunctionName": "f", "Payload": {"x": "{% $states.input.x %}"}}, "Assign": {"total": "{% $states.result.Payload.total %}"}, "Output": "{% $states.result.Payload %}", "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}", "Next": "F"}], "Next": "C"}, "C": {"Type": "Choice", "Choices": [{"Condition": "{% $total > 10 %}", "Next": "M", "Output": {"big": True}}], "Default": "S"}, "M": {"Type": "Map", "Items": "{% $states.input.items %}", "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}"}, "MaxConcurrency": "{% 2 %}", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}}}, "Next": "W"}, "W": {"Type": "Wait", "Seconds": "{% 1 %}", "Next": "S"}, "S": {"Type": "Succeed", "Output": {"done": True}}, "F": {"Type": "Fail", "Error": "{% 'Failed' %}", "Cause": "{% $string($states.input) %}"}}},
}


@pytest.mark.parametrize("name", sorted(AWS_EXAMPLES))
def test_aws_documented_examples_are_valid(name: str):
    assert validate_definition(AWS_EXAMPLES[name]) == []


@pytest.mark.parametrize(
    ("field", "largest"),
    [("IntervalSeconds", 99_999_999), ("MaxAttempts", 99_999_998), ("MaxDelaySeconds", 31_622_400),
     ("TimeoutSeconds", 99_999_998)],
)
def test_retry_and_timeout_numbers_are_bounded_as_aws_bounds_them(field, largest):
    # AWS's ASL schema (the AWS Toolkit's language service) and LocalStack's AWS-validated parser:
    # IntervalSeconds and MaxAttempts up to 99999999 (statelint: MaxAttempts below it), MaxDelaySeconds
    # below 31622401. Found by fuzzing: IntervalSeconds 2,147,483,648 passed and then slept for ever.
    where = f"/States/Detect/{field}" if field == "TimeoutSeconds" else f"/States/Detect/Retry/0/{field}"
    assert diagnostics(changed(where, largest)) == set()
    (diagnostic,) = validate_definition(changed(where, 2_147_483_648))
    assert (diagnostic.code, diagnostic.location) == ("SCHEMA_VALIDATION_FAILED", where)
    assert diagnostic.message.startswith(f"The value of field '{field}' is invalid: Input should be less than")
