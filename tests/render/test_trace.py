"""The data-flow trace shows every stage, what changed, retries and caught errors in place."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from stepflow import StateMachine
from stepflow.engine.trace import StepRecord
from stepflow.render.trace import format_step, format_trace, show


@dataclass
class _Run:
    """The attributes of an execution the trace reads."""

    name: str = "demo"
    status: str = "SUCCEEDED"
    input: Any = None
    output: Any = None
    error: str | None = None
    cause: str | None = None
    steps: list[StepRecord] = field(default_factory=list)


# AWS developer guide, "Processing input and output": the credit-card / Task example shape.
_TASK = StepRecord(
    name="FaceDetection", state_type="Task",
    input={"userId": "user_a", "s3Bucket": "photos", "s3Key": "a.jpg", "extra": 1},
    after_input_path={"s3Bucket": "photos", "s3Key": "a.jpg"},
    after_parameters={"bucket": "photos", "key": "a.jpg"},
    result={"FaceDetails": [{"Confidence": 99.9}], "ResponseMetadata": {"RequestId": "r"}},
    after_result_selector={"faces": [{"Confidence": 99.9}]},
    after_result_path={"userId": "user_a", "s3Bucket": "photos", "s3Key": "a.jpg", "extra": 1,
                       "detected": {"faces": [{"Confidence": 99.9}]}},
    output={"userId": "user_a", "s3Bucket": "photos", "s3Key": "a.jpg", "extra": 1,
            "detected": {"faces": [{"Confidence": 99.9}]}},
    retries=[{"error": "Lambda.ServiceException", "cause": "busy", "delay": 2.0}],
    next="CheckFaceDuplicate",
)


def _plain(lines: list[str]) -> str:
    return "\n".join(lines)


def test_every_stage_of_a_task_is_shown_in_pipeline_order():
    text = _plain(format_step(_TASK, color=False, elide=False))
    labels = [line.split("  ")[1].strip() for line in text.splitlines()[1:] if line[2] != " "][:7]
    assert labels == ["input", "after InputPath", "after Parameters", "result", "after ResultSelector",
                      "after ResultPath", "output (OutputPath)"]
    assert '"bucket": "photos", "key": "a.jpg"' in text


def test_what_each_stage_changed_is_named_key_by_key():
    text = _plain(format_step(_TASK, color=False, elide=False))
    lines = text.splitlines()
    after_input_path = next(i for i, line in enumerate(lines) if "after InputPath" in line)
    assert lines[after_input_path + 1].strip() == "- userId"
    assert lines[after_input_path + 2].strip() == "- extra"
    after_result_path = next(i for i, line in enumerate(lines) if "after ResultPath" in line)
    # ResultPath writes into the raw input: the change shown is against the input, not the result
    assert lines[after_result_path + 1].strip() == '+ detected: {"faces": [{"Confidence": 99.9}]}'
    assert "(unchanged)" in lines[after_result_path + 2] and "output" in lines[after_result_path + 2]


def test_retries_and_the_next_state_are_shown_in_the_visit():
    text = _plain(format_step(_TASK, color=False, elide=False))
    assert re.search(r"retry 1\s+Lambda.ServiceException: busy, retried after 2s", text)
    assert text.rstrip().endswith("→ CheckFaceDuplicate")


def test_a_caught_error_shows_where_it_went_and_a_discarded_result_is_explained():
    caught = StepRecord(
        name="FaceDetection", state_type="Task", status="CAUGHT", input={"k": 1},
        after_input_path={"k": 1}, after_parameters={"k": 1},
        output={"k": 1, "errorInfo": {"Error": "PhotoDoesNotMeetRequirementError", "Cause": "2 faces"}},
        error="PhotoDoesNotMeetRequirementError", cause="2 faces", next="PhotoDoesNotMeetRequirement",
    )
    text = _plain(format_step(caught, color=False, elide=False))
    assert re.search(r"caught\s+PhotoDoesNotMeetRequirementError: 2 faces", text)
    assert re.search(r"output \(Catch ResultPath\)\s+\{", text)
    assert '+ errorInfo: {"Error": "PhotoDoesNotMeetRequirementError", "Cause": "2 faces"}' in text
    assert "result" not in text  # the task never produced one
    assert text.rstrip().endswith("→ PhotoDoesNotMeetRequirement")
    discarded = StepRecord(name="Persist", state_type="Task", input={"a": 1}, after_input_path={"a": 1},
                           after_parameters={"a": 1}, result={"saved": True}, after_result_selector={"saved": True},
                           after_result_path={"a": 1}, output={"a": 1})
    assert "(the input: ResultPath discarded the result)" in _plain(format_step(discarded, False, False))


def test_a_choice_shows_only_the_stages_its_type_has():
    choice = StepRecord(name="Route", state_type="Choice", input={"n": 1}, after_input_path={"n": 1},
                        after_parameters={"n": 1}, output={"n": 1}, next="Big")
    text = _plain(format_step(choice, color=False, elide=False))
    assert "Parameters" not in text and "ResultPath" not in text
    assert re.search(r"after InputPath\s+\(unchanged\)", text)


def test_nested_visits_are_indented_and_say_where_they_ran():
    inner = StepRecord(name="Thumbnail", state_type="Task", scope=("ParallelProcessing", 1, "Items", 7),
                       input={}, after_input_path={}, after_parameters={}, result={}, output={})
    header = format_step(inner, color=False, elide=False)[0]
    assert header == "        ▶ Thumbnail (Task) in ParallelProcessing #1 / Items #7  SUCCEEDED"


def test_plain_output_has_no_escape_codes_and_a_terminal_gets_colour():
    run = _Run(input={"x": 1}, output={"x": 2}, steps=[_TASK])
    assert "\x1b[" not in format_trace(run, color=False)
    coloured = format_trace(run, color=True)
    assert "\x1b[1;36m▶ FaceDetection\x1b[0m" in coloured
    assert "\x1b[32mSUCCEEDED\x1b[0m" in coloured


def test_long_values_are_elided_on_a_terminal_and_whole_otherwise():
    value = {"photo": "x" * 500, "items": list(range(1000))}
    elided = show(value, elide=True)
    assert len(elided) <= 110
    assert "(+460 chars)" in elided
    assert show(value, elide=False) == '{"photo": "' + "x" * 500 + '", "items": [' + ", ".join(map(str, range(1000))) + "]}"
    assert show(list(range(8)), elide=True) == '[0, 1, 2, 3, 4, "…(+3 more)"]'


def test_the_execution_ends_with_its_output_or_its_error():
    ok = format_trace(_Run(input={"a": 1}, output={"b": 2}), color=False)
    assert ok.splitlines()[0] == "Execution demo  SUCCEEDED"
    assert ok.rstrip().endswith('Execution output  {"b": 2}')
    failed = format_trace(_Run(status="FAILED", input={}, error="States.TaskFailed", cause="boom"), color=False)
    assert failed.rstrip().endswith("Execution FAILED  States.TaskFailed: boom")


def _labels(lines: list[str]) -> list[str]:
    return [line.strip().split("  ")[0] for line in lines[1:] if line.startswith("  ") and not line.strip().startswith(("+", "-", "~", "→"))]


def test_a_stage_that_produced_null_is_shown_and_one_never_reached_is_not():
    definition = {
        "StartAt": "Nothing",
        "States": {
            "Nothing": {"Type": "Pass", "Result": None, "Next": "Broken"},
            "Broken": {"Type": "Pass", "Parameters": {"x.$": "$.missing"}, "End": True},
        },
    }
    nothing, broken = StateMachine(definition).run({"a": 1}).steps
    assert nothing.stage_reached("result") and nothing.result is None
    labels = _labels(format_step(nothing, color=False, elide=False))
    assert "result" in labels and "output (OutputPath)" in labels
    assert not broken.stage_reached("after_parameters")
    assert "after Parameters" not in _labels(format_step(broken, color=False, elide=False))


def test_a_jsonata_visit_is_labelled_with_arguments_and_output_and_shows_what_it_assigned():
    fn = "arn:aws:lambda:us-east-1:123456789012:function:Double"
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Double",
        "States": {
            "Double": {
                "Type": "Task",
                "Resource": fn,
                "Arguments": {"n": "{% $states.input.n %}"},
                "Output": {"doubled": "{% $states.result %}"},
                "Assign": {"last": "{% $states.result %}"},
                "End": True,
            }
        },
    }
    step = StateMachine(definition, resources={fn: lambda event, context: event["n"] * 2}).run({"n": 4}).steps[0]
    text = "\n".join(format_step(step, color=False, elide=False))
    assert _labels(text.splitlines()) == ["input", "after Arguments", "result", "output (Output)", "assigned (Assign)"]
    assert "InputPath" not in text and "ResultSelector" not in text
    assert 'assigned (Assign)' in text and '{"last": 8}' in text
