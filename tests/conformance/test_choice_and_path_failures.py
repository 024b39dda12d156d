"""Choice routing, and the States.Runtime causes AWS gives when a path finds nothing.

Evidence:
- Choice routing: localstack/localstack
  ``tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json``
  (test_choice_unsorted_parameters[...]) with
  ``templates/scenarios/statemachines/choice_state_unsorted_choice_parameters.json5``.
- OutputPath miss after a Task, not caught by a ``States.Runtime`` catcher: the same snapshot file
  (test_catch_states_runtime) with ``templates/scenarios/statemachines/catch_states_runtime.json5``.
- Parameters ``.$`` miss, AWS console output quoted in the AWS Step Functions workshop:
  https://000047.awsstudygroup.com/3-serviceorchestration/3.3-updatepermission/3.3.3-checkworkflow/
  ("The JSONPath '$.application.address' specified for the field 'address.$' could not be found in
  the input '{\"flagged\":false}'").
- OutputPath miss, real execution quoted in a blog post on CDK ``LambdaInvoke`` (aws-cdk issue 7709):
  "Invalid path '$.Payload' : No results for path: $['Payload']"; same format for InputPath
  (LocalStack template ``invalid_jsonpath_in_inputpath.json5`` exercises it).
- Choice Variable miss, AWS causes quoted in public repositories:
  "Invalid path '$.processing_type': The choice state's condition path references an invalid value."
- NoChoiceMatched: the error name AWS documents (Error handling in Step Functions,
  https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html); its cause text
  is not in any recording found, so it is not asserted.
"""
from __future__ import annotations

import pytest

from .recorded import FUNCTION_ARN, assert_links, details, run

PREFIX = "An error occurred while executing the state '{name}' (entered at the event id #{entered}). "


def failed(execution) -> tuple[str, str]:
    return execution.error, execution.cause


@pytest.mark.parametrize(("done", "finish"), [(True, "FinishTrue"), (False, "FinishFalse")])
def test_choice_routes_on_the_first_matching_rule_and_passes_input_through(done, finish):
    definition = {
        "StartAt": "CheckResult",
        "States": {
            "CheckResult": {
                "Choices": [
                    {"BooleanEquals": True, "Next": "FinishTrue", "Variable": "$.result.done"},
                    {"BooleanEquals": False, "Next": "FinishFalse", "Variable": "$.result.done"},
                ],
                "Type": "Choice",
            },
            "FinishTrue": {"End": True, "Type": "Pass"},
            "FinishFalse": {"End": True, "Type": "Pass"},
        },
    }
    state_input = {"result": {"done": done}}
    execution = run(definition, state_input)
    assert_links(
        execution,
        [
            ("ExecutionStarted", 0),
            ("ChoiceStateEntered", 0),
            ("ChoiceStateExited", 2),
            ("PassStateEntered", 3),
            ("PassStateExited", 4),
            ("ExecutionSucceeded", 5),
        ],
    )
    assert details(execution, 3) == {"name": "CheckResult", "output": state_input, "outputDetails": {"truncated": False}}
    assert details(execution, 4)["name"] == finish
    assert execution.output == state_input


def test_parameters_path_that_finds_nothing_names_field_path_and_input():
    definition = {
        "StartAt": "Check Name",
        "States": {
            "Check Name": {"Type": "Pass", "Result": {"flagged": False}, "Next": "Check Address"},
            "Check Address": {"Type": "Pass", "Parameters": {"address.$": "$.application.address"}, "End": True},
        },
    }
    execution = run(definition, {"application": {"name": "Spock"}})
    assert failed(execution) == (
        "States.Runtime",
        PREFIX.format(name="Check Address", entered=4)
        + "The JSONPath '$.application.address' specified for the field 'address.$' could not be found in the input '{\"flagged\":false}'",
    )


@pytest.mark.parametrize("field", ["InputPath", "OutputPath"])
def test_input_or_output_path_that_finds_nothing_is_an_invalid_path(field):
    execution = run({"StartAt": "pass", "States": {"pass": {"Type": "Pass", field: "$.Payload", "End": True}}})
    assert_links(
        execution,
        [("ExecutionStarted", 0), ("PassStateEntered", 0), ("ExecutionFailed", 2)],
    )
    assert failed(execution) == (
        "States.Runtime",
        PREFIX.format(name="pass", entered=2) + "Invalid path '$.Payload' : No results for path: $['Payload']",
    )


def test_choice_variable_that_finds_nothing_is_a_runtime_error_even_with_a_default():
    definition = {
        "StartAt": "IsDataset",
        "States": {
            "IsDataset": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.processing_type", "StringEquals": "dataset", "Next": "Done"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    execution = run(definition, {"is_reanalysis": True})
    assert failed(execution) == (
        "States.Runtime",
        PREFIX.format(name="IsDataset", entered=2)
        + "Invalid path '$.processing_type': The choice state's condition path references an invalid value.",
    )


def test_choice_without_match_or_default_fails_with_no_choice_matched():
    definition = {
        "StartAt": "CheckResult",
        "States": {
            "CheckResult": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.result.done", "BooleanEquals": True, "Next": "Finish"}],
            },
            "Finish": {"Type": "Succeed"},
        },
    }
    execution = run(definition, {"result": {"done": False}})
    assert execution.history[-1]["type"] == "ExecutionFailed"
    assert execution.error == "States.NoChoiceMatched"


def test_output_path_failure_after_a_task_is_not_caught_even_by_name():
    definition = {
        "StartAt": "RaiseRuntime",
        "States": {
            "RaiseRuntime": {
                "Type": "Task",
                "Resource": FUNCTION_ARN,
                "OutputPath": "$.no.such.result.path",
                "Catch": [{"ErrorEquals": ["States.Runtime"], "Next": "CaughtRuntime"}],
                "Next": "Final",
            },
            "CaughtRuntime": {"Type": "Pass", "End": True},
            "Final": {"Type": "Pass", "End": True},
        },
    }
    execution = run(definition, {}, {FUNCTION_ARN: lambda event, context: {}})
    assert_links(
        execution,
        [
            ("ExecutionStarted", 0),
            ("TaskStateEntered", 0),
            ("LambdaFunctionScheduled", 2),
            ("LambdaFunctionStarted", 3),
            ("LambdaFunctionSucceeded", 4),
            ("ExecutionFailed", 5),
        ],
    )
    assert details(execution, 6) == {
        "cause": PREFIX.format(name="RaiseRuntime", entered=2)
        + "Invalid path '$.no.such.result.path' : Missing property in path $['no']",
        "error": "States.Runtime",
    }
