"""Intrinsic functions in Parameters, with the values AWS produced.

Evidence: localstack/localstack
- ``tests/aws/services/stepfunctions/v2/intrinsic_functions/test_generic.snapshot.json`` (test_format_1)
  with ``templates/intrinsicfunctions/statemachines/generic/format_1.json5``;
- ``tests/aws/services/stepfunctions/v2/intrinsic_functions/test_array.snapshot.json``
  (test_array_get_item) with ``templates/intrinsicfunctions/statemachines/array/array_get_item.json5``;
- ``tests/aws/services/stepfunctions/v2/base/test_base.snapshot.json`` (test_state_fail_intrinsic,
  covered in test_pass_and_fail_states.py).
"""
from __future__ import annotations

import pytest

from .recorded import assert_links, details, run


def function_result(expression: str) -> dict:
    return {
        "StartAt": "State_0",
        "States": {"State_0": {"Type": "Pass", "Parameters": {"FunctionResult.$": expression}, "End": True}},
    }


@pytest.mark.parametrize(
    ("argument", "formatted"),
    [
        ("", "Formatting argument ."),
        (" ", "Formatting argument  ."),
        ("HelloWorld", "Formatting argument HelloWorld."),
        (None, "Formatting argument null."),
        (1, "Formatting argument 1."),
        (1.1, "Formatting argument 1.1."),
        ('{"Arg1": 1, "Arg2": []}', 'Formatting argument {"Arg1": 1, "Arg2": []}.'),
    ],
)
def test_format_renders_each_json_argument_as_aws_does(argument, formatted):
    execution = run(
        function_result("States.Format('Formatting argument {}.', $.FunctionInput)"), {"FunctionInput": argument}
    )
    assert_links(
        execution,
        [("ExecutionStarted", 0), ("PassStateEntered", 0), ("PassStateExited", 2), ("ExecutionSucceeded", 3)],
    )
    assert details(execution, 3)["output"] == {"FunctionResult": formatted}


def test_array_get_item_takes_index_from_a_path():
    execution = run(
        function_result("States.ArrayGetItem($.FunctionInput.fst, $.FunctionInput.snd)"),
        {"FunctionInput": {"fst": [1, 2, 3, 4, 5, 6, 7, 8, 9], "snd": 5}},
    )
    assert execution.output == {"FunctionResult": 6}
