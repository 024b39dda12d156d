"""What an execution as a whole looks like on AWS: the context object, a timed-out execution.

Evidence: localstack/localstack
- ``tests/aws/services/stepfunctions/v2/context_object/test_context_object.snapshot.json``
  (test_input_path[$$], recorded 2024-09) and ``v2/base/test_base.snapshot.json``
  (test_query_context_object_values) with ``templates/base/statemachines/query_context_object_values.json5``;
- ``tests/aws/services/stepfunctions/v2/timeouts/test_timeouts.snapshot.json`` (test_global_timeout:
  ``"status": "TIMED_OUT"``, no output).
"""
from __future__ import annotations

import re

from stepflow import StateMachine, VirtualClock

from .recorded import assert_links, details, run

ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_context_object_carries_execution_state_machine_and_state():
    definition = {"StartAt": "TestState", "States": {"TestState": {"Type": "Pass", "InputPath": "$$", "End": True}}}
    machine = StateMachine(definition, name="ContextMachine")
    execution = machine.run({"input-value": 0}, name="context-run", clock=VirtualClock())
    assert_links(
        execution,
        [("ExecutionStarted", 0), ("PassStateEntered", 0), ("PassStateExited", 2), ("ExecutionSucceeded", 3)],
    )
    context = details(execution, 3)["output"]
    assert list(context) == ["Execution", "StateMachine", "State"]
    assert set(context["Execution"]) == {"Id", "Input", "StartTime", "Name", "RoleArn", "RedriveCount"}
    assert context["Execution"]["Id"] == execution.execution_arn
    assert context["Execution"]["Input"] == {"input-value": 0}
    assert context["Execution"]["Name"] == "context-run"
    assert context["Execution"]["RedriveCount"] == 0
    assert ISO_MILLIS.match(context["Execution"]["StartTime"])
    assert context["StateMachine"] == {"Id": machine.arn, "Name": "ContextMachine"}
    # AWS: a state without Retry has no State.RetryCount.
    assert set(context["State"]) == {"Name", "EnteredTime"}
    assert context["State"]["Name"] == "TestState"
    assert ISO_MILLIS.match(context["State"]["EnteredTime"])


def test_context_fields_are_reachable_one_by_one_from_parameters():
    definition = {
        "StartAt": "QueryValues1",
        "States": {
            "QueryValues1": {
                "Type": "Pass",
                "ResultPath": "$.query_values_1",
                "Parameters": {
                    "execution_input.$": "$$.Execution.Input",
                    "execution_name.$": "$$.Execution.Name",
                    "state_name.$": "$$.State.Name",
                    "statemachine_name.$": "$$.StateMachine.Name",
                },
                "End": True,
            }
        },
    }
    execution = StateMachine(definition, name="QueryMachine").run({"message": "TestMessage"}, name="query-run")
    assert execution.output == {
        "message": "TestMessage",
        "query_values_1": {
            "execution_input": {"message": "TestMessage"},
            "execution_name": "query-run",
            "state_name": "QueryValues1",
            "statemachine_name": "QueryMachine",
        },
    }


def test_execution_past_its_timeout_seconds_is_timed_out_without_output():
    definition = {"StartAt": "Wait", "TimeoutSeconds": 5, "States": {"Wait": {"Type": "Wait", "Seconds": 60, "End": True}}}
    execution = run(definition)
    assert execution.status == "TIMED_OUT"
    assert execution.output is None
    assert execution.history[-1]["type"] == "ExecutionTimedOut"
