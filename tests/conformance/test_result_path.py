"""ResultPath on a Task: the AWS developer guide's worked examples, input for input, output for output.

Evidence: "Specifying state output using ResultPath in Step Functions",
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html (state input
{"comment": "This is a test", "details": "Default example", "who": "Step Functions"}, task result
"Hello, Step Functions!", ResultPath "$", null and "$.taskresult"). ResultPath into a string input:
a public report of a real execution, https://qiita.com/tsubasaogawa/items/4fe341bdb6ae7d2fd8ee
(error States.ReferencePathConflict, cause 'Unable to apply ReferencePath $.someTaskResult to input
"input1"'), an error name other public reports of AWS runs quote too.
"""
from __future__ import annotations

import pytest

from .recorded import FUNCTION_ARN, run

GUIDE_INPUT = {"comment": "This is a test", "details": "Default example", "who": "Step Functions"}
GUIDE_RESULT = "Hello, Step Functions!"


def hello(event: dict, context: object) -> str:
    return GUIDE_RESULT


@pytest.mark.parametrize(
    ("result_path", "output"),
    [
        ("$", GUIDE_RESULT),
        (None, GUIDE_INPUT),
        ("$.taskresult", {**GUIDE_INPUT, "taskresult": GUIDE_RESULT}),
    ],
    ids=["replace", "discard", "include"],
)
def test_result_path_replaces_discards_or_includes_the_task_result(result_path, output):
    definition = {
        "StartAt": "Hello",
        "States": {"Hello": {"Type": "Task", "Resource": FUNCTION_ARN, "ResultPath": result_path, "End": True}},
    }
    execution = run(definition, GUIDE_INPUT, {FUNCTION_ARN: hello})
    assert execution.output == output


def test_omitted_result_path_replaces_the_input():
    definition = {"StartAt": "Hello", "States": {"Hello": {"Type": "Task", "Resource": FUNCTION_ARN, "End": True}}}
    assert run(definition, GUIDE_INPUT, {FUNCTION_ARN: hello}).output == GUIDE_RESULT


def test_result_path_into_a_string_input_fails_with_reference_path_conflict():
    definition = {
        "StartAt": "Hello",
        "States": {"Hello": {"Type": "Task", "Resource": FUNCTION_ARN, "ResultPath": "$.someTaskResult", "End": True}},
    }
    execution = run(definition, "input1", {FUNCTION_ARN: hello})
    assert (execution.error, execution.cause) == (
        "States.ReferencePathConflict",
        'Unable to apply ReferencePath $.someTaskResult to input "input1"',
    )
