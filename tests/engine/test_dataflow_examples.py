"""The data flow (InputPath -> Parameters -> work -> ResultSelector -> ResultPath -> OutputPath),
proved with the AWS developer guide's own examples ("Processing input and output")."""
from __future__ import annotations

import pytest

from stepflow import StateMachine, VirtualClock
from stepflow.runtime.clock import DEFAULT_VIRTUAL_START

HELLO_ARN = "arn:aws:lambda:us-east-1:123456789012:function:HelloFunction"


def hello(event, context):
    """The guide's HelloFunction: greets ``who``."""
    return f"Hello, {event['who']}!"


def run_task(state_fields: dict, state_input, handler=hello):
    task = {"Type": "Task", "Resource": HELLO_ARN, "End": True, **state_fields}
    machine = StateMachine({"StartAt": "Task", "States": {"Task": task}}, resources={HELLO_ARN: handler})
    return machine.run(state_input)


GUIDE_INPUT = {
    "comment": "An input comment.",
    "data": {"val1": 23, "val2": 17},
    "extra": "foo",
    "lambda": {"who": "AWS Step Functions"},
}


def test_inputpath_resultpath_outputpath_guide_example():
    execution = run_task(
        {"InputPath": "$.lambda", "ResultPath": "$.data.lambdaresult", "OutputPath": "$.data"},
        GUIDE_INPUT,
    )
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"val1": 23, "val2": 17, "lambdaresult": "Hello, AWS Step Functions!"}


RESULTPATH_INPUT = {
    "comment": "This is a test of the input and output of a Task state.",
    "details": "Default example",
    "who": "AWS Step Functions",
}


@pytest.mark.parametrize(
    "result_path, expected",
    [
        ("$", "Hello, AWS Step Functions!"),
        (None, RESULTPATH_INPUT),
        ("$.taskresult", {**RESULTPATH_INPUT, "taskresult": "Hello, AWS Step Functions!"}),
    ],
    ids=["dollar-replaces-input", "null-discards-result", "path-adds-result"],
)
def test_resultpath_guide_examples(result_path, expected):
    assert run_task({"ResultPath": result_path}, RESULTPATH_INPUT).output == expected


def test_resultpath_into_an_existing_nested_object_keeps_its_siblings():
    state_input = {**RESULTPATH_INPUT, "strings": {"string1": "foo", "string2": "bar", "string3": "baz"}}
    output = run_task({"ResultPath": "$.strings.lambdaresult"}, state_input).output
    assert output["strings"] == {
        "string1": "foo",
        "string2": "bar",
        "string3": "baz",
        "lambdaresult": "Hello, AWS Step Functions!",
    }


def test_resultpath_never_mutates_the_state_input():
    state_input = {"who": "x", "nested": {"a": 1}}
    execution = run_task({"ResultPath": "$.nested.b"}, state_input)
    assert state_input == {"who": "x", "nested": {"a": 1}}
    assert execution.output == {"who": "x", "nested": {"a": 1, "b": "Hello, x!"}}


def test_parameters_guide_example_selects_and_adds_static_values():
    definition = {
        "StartAt": "Select",
        "States": {
            "Select": {
                "Type": "Pass",
                "Parameters": {
                    "comment": "Selecting what I care about.",
                    "MyDetails": {
                        "size.$": "$.product.details.size",
                        "exists.$": "$.product.availability",
                        "StaticValue": "foo",
                    },
                },
                "End": True,
            }
        },
    }
    state_input = {
        "comment": "Example for Parameters.",
        "product": {
            "details": {"color": "blue", "size": "small", "material": "cotton"},
            "availability": "in stock",
            "sku": "2317",
            "cost": "$23",
        },
    }
    assert StateMachine(definition).run(state_input).output == {
        "comment": "Selecting what I care about.",
        "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"},
    }


def test_resultselector_guide_example_reshapes_the_task_result():
    def add_step(event, context):
        return {"resourceType": "elasticmapreduce", "resource": "createCluster.sync",
                "output": {"SdkHttpMetadata": {"httpStatusCode": 200}, "ClusterId": "AKIAIOSFODNN7EXAMPLE"}}

    execution = run_task(
        {
            "ResultSelector": {"ClusterId.$": "$.output.ClusterId", "ResourceType.$": "$.resourceType"},
            "ResultPath": "$.EMROutput",
        },
        {"who": "x"},
        handler=add_step,
    )
    assert execution.output == {
        "who": "x",
        "EMROutput": {"ClusterId": "AKIAIOSFODNN7EXAMPLE", "ResourceType": "elasticmapreduce"},
    }


def test_each_stage_is_recorded_on_the_step():
    execution = run_task(
        {
            "InputPath": "$.lambda",
            "Parameters": {"who.$": "$.who", "greeting": "hi"},
            "ResultSelector": {"text.$": "$"},
            "ResultPath": "$.res",
            "OutputPath": "$.res",
        },
        GUIDE_INPUT,
    )
    (step,) = execution.steps
    assert step.input is GUIDE_INPUT
    assert step.after_input_path == {"who": "AWS Step Functions"}
    assert step.after_parameters == {"who": "AWS Step Functions", "greeting": "hi"}
    assert step.result == "Hello, AWS Step Functions!"
    assert step.after_result_selector == {"text": "Hello, AWS Step Functions!"}
    # ResultPath writes into the state's raw input, not the InputPath selection.
    assert step.after_result_path == {**GUIDE_INPUT, "res": {"text": "Hello, AWS Step Functions!"}}
    assert step.output == {"text": "Hello, AWS Step Functions!"}
    assert (step.name, step.state_type, step.scope, step.status, step.next) == ("Task", "Task", (), "SUCCEEDED", None)


def test_null_inputpath_gives_the_state_an_empty_object():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": None, "End": True}}}
    assert StateMachine(definition).run({"a": 1}).output == {}


def test_null_outputpath_sends_an_empty_object_on():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "OutputPath": None, "End": True}}}
    assert StateMachine(definition).run({"a": 1}).output == {}


def test_missing_inputpath_fails_with_states_runtime_naming_the_state_and_event():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.nope", "End": True}}}
    execution = StateMachine(definition).run({"a": 1})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        "An error occurred while executing the state 'P' (entered at the event id #2). "
        "Invalid path '$.nope' : No results for path: $['nope']"
    )


def test_resultpath_that_cannot_be_applied_fails_with_reference_path_conflict():
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": 1, "ResultPath": "$.a.b", "End": True}},
    }
    execution = StateMachine(definition).run({"a": "text"})
    assert execution.error == "States.ReferencePathConflict"
    assert execution.cause == 'Unable to apply ReferencePath $.a.b to input {"a":"text"}'


def test_parameters_reads_the_context_object():
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Parameters": {
                    "execution.$": "$$.Execution.Name",
                    "state.$": "$$.State.Name",
                    "machine.$": "$$.StateMachine.Name",
                    "input.$": "$$.Execution.Input",
                    "entered.$": "$$.State.EnteredTime",
                },
                "End": True,
            }
        },
    }
    machine = StateMachine(definition, name="Orders", clock=VirtualClock(DEFAULT_VIRTUAL_START))
    execution = machine.run({"n": 1}, name="exec-1")
    assert execution.output == {
        "execution": "exec-1",
        "state": "P",
        "machine": "Orders",
        "input": {"n": 1},
        "entered": "2024-01-01T00:00:00.000Z",
    }
    assert execution.execution_arn == "arn:aws:states:us-east-1:123456789012:execution:Orders:exec-1"
