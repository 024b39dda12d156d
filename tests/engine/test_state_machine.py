"""StateMachine and Execution: loading, definition errors, the execution record, top-level timeout."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from stepflow import DefinitionError, StateMachine, VirtualClock

HELLO = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": "world", "ResultPath": "$.hello", "End": True}}}
START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def test_definition_may_be_a_dict_json_text_or_a_file(tmp_path):
    path = tmp_path / "hello-world.asl.json"
    path.write_text(json.dumps(HELLO))
    for machine in (StateMachine(HELLO), StateMachine(json.dumps(HELLO)), StateMachine.from_file(path)):
        assert machine.run({"a": 1}).output == {"a": 1, "hello": "world"}
    assert StateMachine.from_file(path).name == "hello-world"


def test_execution_record_is_shaped_like_describe_execution():
    machine = StateMachine(HELLO, name="Greeter")
    execution = machine.run({"a": 1}, name="first", clock=VirtualClock(START))
    assert execution.status == "SUCCEEDED"
    assert execution.name == "first"
    assert execution.state_machine_arn == "arn:aws:states:us-east-1:123456789012:stateMachine:Greeter"
    assert execution.execution_arn == "arn:aws:states:us-east-1:123456789012:execution:Greeter:first"
    assert execution.input == {"a": 1}
    assert (execution.error, execution.cause) == (None, None)
    assert execution.start_date == START and execution.stop_date == START
    assert execution.definition == HELLO


def test_default_execution_names_are_unique_uuids():
    machine = StateMachine(HELLO)
    assert len({machine.run({}).name for _ in range(3)}) == 3


def test_history_ids_chain_and_details_hold_json_text():
    events = StateMachine(HELLO).run({"a": 1}).history
    assert [e["id"] for e in events] == [1, 2, 3, 4]
    assert [e["previousEventId"] for e in events] == [0, 0, 2, 3]
    assert events[0]["executionStartedEventDetails"]["input"] == '{"a":1}'
    assert events[2]["stateExitedEventDetails"] == {
        "name": "Hello",
        "output": '{"a":1,"hello":"world"}',
        "outputDetails": {"truncated": False},
    }
    assert events[3]["executionSucceededEventDetails"]["output"] == '{"a":1,"hello":"world"}'


def test_steps_point_at_their_history_events():
    execution = StateMachine(HELLO).run({})
    (step,) = execution.steps
    assert (step.entered_event_id, step.exited_event_id) == (2, 3)


def test_a_definition_with_problems_raises_definition_error_listing_them_all():
    bad = {"StartAt": "Missing", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
    with pytest.raises(DefinitionError) as raised:
        StateMachine(bad)
    locations = {d.location for d in raised.value.diagnostics}
    assert "/StartAt" in locations and "/States/A/Next" in locations


def test_substitutions_fill_sam_placeholders_and_unknown_ones_are_definition_errors():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "${Greeting}", "End": True}}}
    assert StateMachine(definition, substitutions={"Greeting": "hi"}).run({}).output == "hi"
    with pytest.raises(DefinitionError):
        StateMachine(definition)


def test_top_level_timeout_ends_the_execution_as_timed_out():
    definition = {
        "TimeoutSeconds": 10,
        "StartAt": "Wait",
        "States": {"Wait": {"Type": "Wait", "Seconds": 20, "Next": "Never"}, "Never": {"Type": "Succeed"}},
    }
    execution = StateMachine(definition).run({}, clock=VirtualClock(START))
    assert (execution.status, execution.error, execution.output) == ("TIMED_OUT", "States.Timeout", None)
    assert execution.history[-1]["type"] == "ExecutionTimedOut"
    assert execution.history[-1]["executionTimedOutEventDetails"]["error"] == "States.Timeout"
    assert execution.stop_date - START == timedelta(seconds=10)
    assert [s.name for s in execution.steps] == ["Wait"]


def test_top_level_timeout_is_not_caught_by_a_catch():
    definition = {
        "TimeoutSeconds": 5,
        "StartAt": "Loop",
        "States": {
            "Loop": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    }
    assert StateMachine(definition).run({}).status == "TIMED_OUT"


def test_an_hour_long_wait_costs_no_wall_time_on_the_virtual_clock():
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    execution = StateMachine(definition).run({})
    assert execution.stop_date - execution.start_date == timedelta(hours=1)


def test_state_output_over_256_kib_fails_with_data_limit_exceeded():
    definition = {
        "StartAt": "Grow",
        "States": {"Grow": {"Type": "Pass", "Parameters": {"a.$": "$.big", "b.$": "$.big"}, "End": True}},
    }
    execution = StateMachine(definition).run({"big": "x" * 150_000})
    assert execution.error == "States.DataLimitExceeded"
    assert "'Grow'" in execution.cause


def test_payloads_are_shared_not_copied_from_state_to_state():
    big = ["x" * 100] * 1000
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
            "B": {"Type": "Pass", "Result": 2, "ResultPath": "$.b", "End": True},
        },
    }
    execution = StateMachine(definition).run({"big": big})
    assert execution.output["big"] is big
    assert execution.steps[1].input is execution.steps[0].output


def test_history_exports_as_get_execution_history_json():
    execution = StateMachine(HELLO).run({"a": 1}, clock=VirtualClock(START))
    exported = json.loads(json.dumps(execution.history_json()))
    assert [e["type"] for e in exported["events"]] == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded",
    ]
    assert exported["events"][0]["timestamp"] == "2024-01-01T00:00:00+00:00"


def test_run_without_input_starts_with_an_empty_object_and_run_none_with_json_null():
    echo = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    machine = StateMachine(echo)
    assert machine.run().output == {}
    nothing = machine.run(None)
    assert nothing.status == "SUCCEEDED" and nothing.output is None
    assert nothing.history[0]["executionStartedEventDetails"]["input"] == "null"


def test_on_event_is_called_with_every_history_event_in_order():
    seen: list[dict] = []
    execution = StateMachine(HELLO).run({}, on_event=seen.append)
    assert seen == execution.history


def test_duplicate_state_names_are_refused_even_after_substitutions():
    text = (
        '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}", "End": true},'
        ' "A": {"Type": "Pass", "End": true}}}'
    )
    with pytest.raises(DefinitionError) as refused:
        StateMachine(text, substitutions={"Fn": "arn:aws:lambda:us-east-1:123456789012:function:f"})
    assert "DUPLICATE_STATE_NAME" in {diagnostic.code for diagnostic in refused.value.diagnostics}


def test_lambda_invoke_date_header_reads_the_machines_virtual_clock():
    start = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    fn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    definition = {
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName": fn, "Payload": {}}, "End": True}},
    }
    machine = StateMachine(definition, resources={fn: lambda event, context: 1}, clock=VirtualClock(start))
    headers = machine.run({}).output["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Date"] == "Wed, 01 May 2024 12:00:00 GMT"


def test_lambda_invoke_date_header_reads_the_runs_own_virtual_clock():
    fn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    definition = {
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName": fn, "Payload": {}}, "End": True}},
    }
    machine = StateMachine(definition, resources={fn: lambda event, context: 1})
    run_clock = VirtualClock(datetime(2030, 6, 1, 8, 30, tzinfo=timezone.utc))
    headers = machine.run({}, clock=run_clock).output["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Date"] == "Sat, 01 Jun 2030 08:30:00 GMT"
