"""Inline Map state histories, as recorded on AWS (MaxConcurrency 1, so the order is fixed).

Evidence: localstack/localstack
``tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json`` (test_map_state,
test_map_state_break_condition, test_map_state_catch, test_map_state_catch_empty_fail,
test_map_state_item_selector, test_map_state_legacy_config_inline) with the templates
``templates/scenarios/statemachines/map_state.json5``, ``map_state_break_condition.json5``,
``map_state_catch.json5``, ``map_state_catch_empty_fail.json5``, ``map_state_item_selector.json5`` and
``map_state_legacy_config_inline.json5``.
"""
from __future__ import annotations

from .recorded import assert_links, details, run


def map_machine(items: list, processor_states: dict, start_at: str, **map_fields) -> dict:
    return {
        "StartAt": "StartState",
        "States": {
            "StartState": {"Type": "Pass", "Result": items, "ResultPath": "$.arr", "Next": "MapState"},
            "MapState": {
                "Type": "Map",
                "ResultPath": None,
                "InputPath": "$.arr",
                "MaxConcurrency": 1,
                "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": start_at, "States": processor_states},
                "Next": "Final",
                **map_fields,
            },
            "Final": {"Type": "Pass", "End": True},
        },
    }


def iteration(index_event: int, previous: int, states: list[str], ending: str) -> list[tuple[str, int]]:
    """AWS's events for one sequential iteration whose MapIterationStarted is ``index_event``."""
    events = [("MapIterationStarted", previous)]
    for offset, event_type in enumerate(states):
        events.append((event_type, index_event + offset))
    events.append((ending, index_event + len(states)))
    return events


def test_map_runs_items_in_order_with_iteration_events_and_keeps_input_with_null_result_path():
    items = [1, "Hello", {}, None, 3.3, 3, 4, 5]
    execution = run(map_machine(items, {"HandleItem": {"Type": "Pass", "End": True}}, "HandleItem"))
    expected = [
        ("ExecutionStarted", 0),
        ("PassStateEntered", 0),
        ("PassStateExited", 2),
        ("MapStateEntered", 3),
        ("MapStateStarted", 4),
        *iteration(6, 5, ["PassStateEntered", "PassStateExited"], "MapIterationSucceeded"),
    ]
    for index in range(1, len(items)):
        started = 6 + 4 * index
        expected += iteration(started, started - 2, ["PassStateEntered", "PassStateExited"], "MapIterationSucceeded")
    expected += [
        ("MapStateSucceeded", 37),
        ("MapStateExited", 37),
        ("PassStateEntered", 39),
        ("PassStateExited", 40),
        ("ExecutionSucceeded", 41),
    ]
    assert len(expected) == 42
    assert_links(
        execution,
        expected,
    )
    assert details(execution, 5) == {"length": 8}
    assert [details(execution, 6 + 4 * index) for index in range(len(items))] == [
        {"index": index, "name": "MapState"} for index in range(len(items))
    ]
    assert [details(execution, 7 + 4 * index)["input"] for index in range(len(items))] == items
    assert details(execution, 39)["output"] == {"arr": items}
    assert execution.output == {"arr": items}


def test_failing_iteration_stops_the_map_and_fails_the_execution():
    processor = {
        "Equals3": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [
                        {"IsPresent": True, "Variable": "$"},
                        {"And": [{"IsNumeric": True, "Variable": "$"}, {"NumericEquals": 3, "Variable": "$"}]},
                    ],
                    "Next": "Break",
                }
            ],
            "Default": "Pass",
        },
        "Break": {"Type": "Fail", "Error": "SomeFailure", "Cause": "This state machines raises a 'SomeFailure' failure."},
        "Pass": {"Type": "Pass", "End": True},
    }
    execution = run(map_machine([1, "Hello", {}, 3.3, 3, 4, 5], processor, "Equals3"))
    passing = ["ChoiceStateEntered", "ChoiceStateExited", "PassStateEntered", "PassStateExited"]
    expected = [
        ("ExecutionStarted", 0),
        ("PassStateEntered", 0),
        ("PassStateExited", 2),
        ("MapStateEntered", 3),
        ("MapStateStarted", 4),
        *iteration(6, 5, passing, "MapIterationSucceeded"),
        *iteration(12, 10, passing, "MapIterationSucceeded"),
        *iteration(18, 16, passing, "MapIterationSucceeded"),
        *iteration(24, 22, passing, "MapIterationSucceeded"),
        *iteration(30, 28, ["ChoiceStateEntered", "ChoiceStateExited", "FailStateEntered"], "MapIterationFailed"),
        ("MapStateFailed", 33),
        ("ExecutionFailed", 35),
    ]
    # MapStateFailed follows the iteration's FailStateEntered (33), not MapIterationFailed.
    assert_links(execution, expected)
    assert details(execution, 34) == {"index": 4, "name": "MapState"}
    assert details(execution, 36) == {
        "cause": "This state machines raises a 'SomeFailure' failure.",
        "error": "SomeFailure",
    }


def test_caught_iteration_failure_exits_the_map_with_the_error_output():
    processor = {"HandleItemFail": {"Type": "Fail", "Error": "HandleItemFailError", "Cause": "HandleItemFailCause"}}
    definition = map_machine(
        [1], processor, "HandleItemFail", Catch=[{"ErrorEquals": ["HandleItemFailError"], "Next": "FinalCaught"}]
    )
    definition["States"]["FinalCaught"] = {"Type": "Pass", "End": True}
    execution = run(definition)
    assert_links(
        execution,
        [
            ("ExecutionStarted", 0),
            ("PassStateEntered", 0),
            ("PassStateExited", 2),
            ("MapStateEntered", 3),
            ("MapStateStarted", 4),
            ("MapIterationStarted", 5),
            ("FailStateEntered", 6),
            ("MapIterationFailed", 7),
            ("MapStateFailed", 7),
            ("MapStateExited", 9),
            ("PassStateEntered", 10),
            ("PassStateExited", 11),
            ("ExecutionSucceeded", 12),
        ],
    )
    error_output = {"Error": "HandleItemFailError", "Cause": "HandleItemFailCause"}
    assert details(execution, 10) == {"name": "MapState", "output": error_output, "outputDetails": {"truncated": False}}
    assert details(execution, 13) == {"output": error_output, "outputDetails": {"truncated": False}}


def test_item_selector_builds_each_iteration_input_from_input_index_and_value():
    shipped = [
        {"prod": "R31", "dest-code": 9511, "quantity": 1344},
        {"prod": "S39", "dest-code": 9511, "quantity": 40},
        {"prod": "R31", "dest-code": 9833, "quantity": 12},
        {"prod": "R40", "dest-code": 9860, "quantity": 887},
        {"prod": "R40", "dest-code": 9511, "quantity": 1220},
    ]
    detail = {"delivery-partner": "UQS", "shipped": shipped}
    definition = {
        "StartAt": "StartState",
        "States": {
            "StartState": {"Type": "Pass", "Result": {"detail": detail}, "Next": "MapState"},
            "MapState": {
                "Type": "Map",
                "ResultPath": "$.detail.shipped_output",
                "InputPath": "$.detail",
                "ItemsPath": "$.shipped",
                "MaxConcurrency": 1,
                "ItemSelector": {
                    "original_input.$": "$",
                    "iteration_input_value.$": "$$.Map.Item.Value",
                    "iteration_index.$": "$$.Map.Item.Index",
                    "from_input_constant.$": "$.delivery-partner",
                    "constant_value": "HelloWorld",
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "HandleItem",
                    "States": {"HandleItem": {"Type": "Pass", "End": True}},
                },
                "Next": "Final",
            },
            "Final": {"Type": "Pass", "End": True},
        },
    }
    execution = run(definition)
    selected = [
        {
            "constant_value": "HelloWorld",
            "iteration_input_value": item,
            "from_input_constant": "UQS",
            "iteration_index": index,
            "original_input": detail,
        }
        for index, item in enumerate(shipped)
    ]
    assert [details(execution, 7 + 4 * index)["input"] for index in range(5)] == selected
    assert details(execution, 5) == {"length": 5}
    assert [event["type"] for event in execution.history][24:28] == [
        "MapIterationSucceeded", "MapStateSucceeded", "MapStateExited", "PassStateEntered"
    ]
    assert execution.output == {"detail": {**detail, "shipped_output": selected}}


def test_fail_without_error_matches_no_catcher_and_fails_with_empty_details():
    definition = map_machine(
        [1],
        {"HandleItemFail": {"Type": "Fail"}},
        "HandleItemFail",
        Catch=[
            {"ErrorEquals": ["Internal Error"], "Next": "CaughtInternalError"},
            {"ErrorEquals": ["State.ALL"], "Next": "CaughtStatesALL"},
        ],
    )
    definition["States"].update(
        {"CaughtInternalError": {"Type": "Pass", "End": True}, "CaughtStatesALL": {"Type": "Pass", "End": True}}
    )
    execution = run(definition)
    assert_links(
        execution,
        [
            ("ExecutionStarted", 0),
            ("PassStateEntered", 0),
            ("PassStateExited", 2),
            ("MapStateEntered", 3),
            ("MapStateStarted", 4),
            ("MapIterationStarted", 5),
            ("FailStateEntered", 6),
            ("MapIterationFailed", 7),
            ("MapStateFailed", 7),
            ("ExecutionFailed", 9),
        ],
    )
    assert details(execution, 10) == {}


def test_legacy_iterator_maps_a_top_level_array_then_succeeds():
    definition = {
        "StartAt": "MapState",
        "States": {
            "MapState": {
                "Type": "Map",
                "MaxConcurrency": 1,
                # AWS runs a legacy Iterator that carries ProcessorConfig (map_state_legacy_config_inline).
                "Iterator": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "IteratorInner",
                    "States": {"IteratorInner": {"Type": "Pass", "End": True}},
                },
                "Next": "Finish",
            },
            "Finish": {"Type": "Succeed"},
        },
    }
    execution = run(definition, ["Hello", "World"])
    assert_links(
        execution,
        [
            ("ExecutionStarted", 0),
            ("MapStateEntered", 0),
            ("MapStateStarted", 2),
            ("MapIterationStarted", 3),
            ("PassStateEntered", 4),
            ("PassStateExited", 5),
            ("MapIterationSucceeded", 6),
            ("MapIterationStarted", 6),
            ("PassStateEntered", 8),
            ("PassStateExited", 9),
            ("MapIterationSucceeded", 10),
            ("MapStateSucceeded", 11),
            ("MapStateExited", 11),
            ("SucceedStateEntered", 13),
            ("SucceedStateExited", 14),
            ("ExecutionSucceeded", 15),
        ],
    )
    assert details(execution, 15) == {"name": "Finish", "output": ["Hello", "World"], "outputDetails": {"truncated": False}}
    assert execution.output == ["Hello", "World"]


def test_retried_map_starts_again_without_a_map_state_failed_between_attempts():
    definition = map_machine(
        [1],
        {"HandleItemFail": {"Type": "Fail", "Error": "HandleItemFailError", "Cause": "HandleItemFailCause"}},
        "HandleItemFail",
        Retry=[{"ErrorEquals": ["HandleItemFailError"], "MaxAttempts": 2}],
    )
    execution = run(definition)
    attempt = [("MapIterationStarted", 0), ("FailStateEntered", 0), ("MapIterationFailed", 0)]
    expected = [("ExecutionStarted", 0), ("PassStateEntered", 0), ("PassStateExited", 2), ("MapStateEntered", 3)]
    # AWS (test_map_state_retry): 8 MapIterationFailed follows 7, and 9 MapStateStarted follows 7 too.
    for first in (5, 9, 13):
        expected += [("MapStateStarted", first - 1 if first == 5 else first - 2)]
        expected += [(event_type, first + offset) for offset, (event_type, _) in enumerate(attempt)]
    expected += [("MapStateFailed", 15), ("ExecutionFailed", 17)]
    assert_links(execution, expected)
    assert execution.error == "HandleItemFailError"
