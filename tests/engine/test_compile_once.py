"""Compile once, run many: after a StateMachine is built, running it parses no path, template,
intrinsic or Choice rule again."""
from __future__ import annotations

import pytest

from stepflow import StateMachine, TaskError
from stepflow.asl import intrinsics, paths

FN = "arn:aws:lambda:us-east-1:123456789012:function:Work"

EVERYTHING = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "InputPath": "$.order",
            "Parameters": {"id.$": "$.id", "label.$": "States.Format('order {}', $.id)", "run.$": "$$.Execution.Name"},
            "ResultPath": "$.prepared",
            "Next": "Route",
        },
        "Route": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.prepared.id", "NumericGreaterThan": 0, "Next": "Work"}],
            "Default": "Fail",
        },
        "Work": {
            "Type": "Task",
            "Resource": FN,
            "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Fan"}],
            "ResultSelector": {"value.$": "$.value"},
            "ResultPath": "$.work",
            "Next": "Fan",
        },
        "Fan": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"item.$": "$$.Map.Item.Value"},
            "ItemProcessor": {"StartAt": "Each", "States": {"Each": {"Type": "Pass", "OutputPath": "$.item", "End": True}}},
            "ResultPath": "$.mapped",
            "Next": "Wait",
        },
        "Wait": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "Both"},
        "Both": {
            "Type": "Parallel",
            "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}],
            "OutputPath": "$[0]",
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
        "Fail": {"Type": "Fail", "ErrorPath": "$.order.id"},
    },
}


def test_running_parses_nothing(monkeypatch):
    calls = {"n": 0}

    def work(event, context):
        calls["n"] += 1
        if calls["n"] == 1:
            raise TaskError("Flaky", "first try")
        if calls["n"] == 3:
            raise TaskError("Broken", "caught")
        return {"value": calls["n"]}

    machine = StateMachine(EVERYTHING, resources={FN: work})
    paths.compile_path.cache_clear()

    def refuse(*args, **kwargs):
        pytest.fail("a path or intrinsic was parsed while running")

    monkeypatch.setattr(paths, "_split_definite_prefix", refuse)
    monkeypatch.setattr(intrinsics, "_tokenize", refuse)
    state_input = {"order": {"id": 7}, "items": [1, 2], "delay": 5}
    first = machine.run(state_input)
    second = machine.run(state_input)
    assert first.status == second.status == "SUCCEEDED"
    assert first.output["work"] == {"value": 2}
    assert "error" in second.output and second.output["error"]["Error"] == "Broken"
    assert first.output["mapped"] == [1, 2]
