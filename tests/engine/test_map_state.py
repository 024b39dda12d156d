"""Map (inline): items, ItemSelector and the legacy forms, concurrency limits, failure tolerance,
and the MapIteration events."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from stepflow import RealClock, StateMachine, TaskError

FN = "arn:aws:lambda:us-east-1:123456789012:function:Item"


def map_machine(map_fields: dict, processor_states: dict | None = None, resources: dict | None = None) -> StateMachine:
    processor = {"StartAt": "Each", "States": processor_states or {"Each": {"Type": "Pass", "End": True}}}
    state = {"Type": "Map", "ItemProcessor": processor, "End": True, **map_fields}
    return StateMachine({"StartAt": "Fan", "States": {"Fan": state}}, resources=resources or {})


def item_task() -> dict:
    return {"Each": {"Type": "Task", "Resource": FN, "End": True}}


SHIPPING = {
    "ship-date": "2016-03-14T01:59:00Z",
    "detail": {
        "delivery-partner": "UQS",
        "shipped": [
            {"prod": "R31", "dest-code": 9511, "quantity": 1344},
            {"prod": "S39", "dest-code": 9511, "quantity": 40},
        ],
    },
}


def test_guide_example_itemspath_and_itemselector_with_the_map_item_context():
    machine = map_machine(
        {
            "ItemsPath": "$.detail.shipped",
            "ItemSelector": {
                "parcel.$": "$$.Map.Item.Value",
                "index.$": "$$.Map.Item.Index",
                "courier.$": "$.detail.delivery-partner",
            },
            "ResultPath": "$.detail.shipped",
        }
    )
    output = machine.run(SHIPPING).output
    assert output["detail"]["shipped"] == [
        {"parcel": {"prod": "R31", "dest-code": 9511, "quantity": 1344}, "index": 0, "courier": "UQS"},
        {"parcel": {"prod": "S39", "dest-code": 9511, "quantity": 40}, "index": 1, "courier": "UQS"},
    ]
    assert output["ship-date"] == "2016-03-14T01:59:00Z"


def test_legacy_iterator_and_parameters_work_like_itemprocessor_and_itemselector():
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "Parameters": {"value.$": "$$.Map.Item.Value", "at.$": "$$.Map.Item.Index"},
                "Iterator": {"StartAt": "Each", "States": {"Each": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    assert StateMachine(definition).run({"items": ["a", "b"]}).output == [
        {"value": "a", "at": 0},
        {"value": "b", "at": 1},
    ]


def test_without_itemspath_the_input_itself_is_the_array():
    assert map_machine({}).run([1, 2, 3]).output == [1, 2, 3]


def test_empty_array_gives_an_empty_result():
    execution = map_machine({"ItemsPath": "$.items"}).run({"items": []})
    assert execution.output == []
    assert execution.history[2]["mapStateStartedEventDetails"] == {"length": 0}


def test_items_that_are_not_an_array_fail_with_states_runtime():
    execution = map_machine({"ItemsPath": "$.items"}).run({"items": {"a": 1}})
    assert execution.error == "States.Runtime"
    assert "'Fan'" in execution.cause


def peak_concurrency_handler():
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def handler(event, context):
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return event

    return handler, state


@pytest.mark.parametrize(
    "fields, state_input, limit",
    [
        ({"MaxConcurrency": 1}, {"items": list(range(6))}, 1),
        ({"MaxConcurrency": 2}, {"items": list(range(6))}, 2),
        ({"MaxConcurrencyPath": "$.limit"}, {"items": list(range(6)), "limit": 3}, 3),
    ],
    ids=["MaxConcurrency-1", "MaxConcurrency-2", "MaxConcurrencyPath"],
)
def test_max_concurrency_bounds_the_iterations_running_at_once(fields, state_input, limit):
    handler, seen = peak_concurrency_handler()
    machine = map_machine({"ItemsPath": "$.items", **fields}, item_task(), {FN: handler})
    execution = machine.run(state_input, clock=RealClock())
    assert execution.output == state_input["items"]
    assert seen["peak"] == limit


def test_unbounded_map_runs_iterations_concurrently():
    handler, seen = peak_concurrency_handler()
    machine = map_machine({"ItemsPath": "$.items"}, item_task(), {FN: handler})
    machine.run({"items": list(range(6))}, clock=RealClock())
    assert seen["peak"] > 1


def failing_on(*bad_items):
    def handler(event, context):
        if event in bad_items:
            raise TaskError("ItemError", f"item {event} is bad")
        return event

    return handler


def test_a_failing_iteration_fails_the_map_with_its_own_error():
    machine = map_machine({"ItemsPath": "$.items", "MaxConcurrency": 1}, item_task(), {FN: failing_on(1)})
    execution = machine.run({"items": [0, 1, 2]})
    assert (execution.error, execution.cause) == ("ItemError", "item 1 is bad")
    types = [e["type"] for e in execution.history]
    assert "MapIterationFailed" in types
    assert types[-2:] == ["MapStateFailed", "ExecutionFailed"]
    assert not any(s.scope == ("Fan", 2) for s in execution.steps)  # stopped after the failure


@pytest.mark.parametrize(
    "tolerance, bad, status",
    [
        ({"ToleratedFailureCount": 1}, (1,), "SUCCEEDED"),
        ({"ToleratedFailureCount": 1}, (1, 2), "FAILED"),
        ({"ToleratedFailurePercentage": 50}, (0, 1), "SUCCEEDED"),
        ({"ToleratedFailurePercentage": 50}, (0, 1, 2), "FAILED"),
        ({"ToleratedFailureCountPath": "$.allowed"}, (1, 2), "SUCCEEDED"),
    ],
)
def test_tolerated_failures_decide_whether_the_map_fails(tolerance, bad, status):
    machine = map_machine({"ItemsPath": "$.items", **tolerance}, item_task(), {FN: failing_on(*bad)})
    execution = machine.run({"items": [0, 1, 2, 3], "allowed": 2})
    assert execution.status == status
    if status == "FAILED":
        assert execution.error == "States.ExceedToleratedFailureThreshold"
    else:
        assert [item for item in execution.output if not isinstance(item, dict)] == [
            i for i in range(4) if i not in bad
        ]


def test_map_history_wraps_each_iteration_in_map_iteration_events():
    machine = map_machine({"ItemsPath": "$.items", "MaxConcurrency": 1})
    events = machine.run({"items": ["a", "b"]}).history
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    assert events[2]["mapStateStartedEventDetails"] == {"length": 2}
    assert events[7]["mapIterationStartedEventDetails"] == {"name": "Fan", "index": 1}
    assert events[3]["previousEventId"] == events[2]["id"]
    # AWS: a sequential iteration starts after the previous iteration's last state event.
    assert events[7]["previousEventId"] == events[5]["id"]


def test_nested_maps_and_parallels_cannot_deadlock_a_one_thread_executor():
    inner = {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                    {
                        "StartAt": "M",
                        "States": {
                            "M": {
                                "Type": "Map",
                                "ItemProcessor": {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
                                "End": True,
                            }
                        },
                    },
                ],
                "End": True,
            }
        },
    }
    definition = {"StartAt": "Outer", "States": {"Outer": {"Type": "Map", "ItemProcessor": inner, "End": True}}}
    with ThreadPoolExecutor(max_workers=1) as executor:
        execution = StateMachine(definition).run([[1, 2], [3]], executor=executor)
    assert execution.output == [[[1, 2], [1, 2]], [[3], [3]]]


def test_iterations_run_on_the_callers_executor():
    names = set()

    def handler(event, context):
        names.add(threading.current_thread().name)
        time.sleep(0.02)
        return event

    machine = map_machine({"ItemsPath": "$.items"}, item_task(), {FN: handler})
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="callers-pool") as executor:
        machine.run({"items": list(range(8))}, executor=executor, clock=RealClock())
    assert any(name.startswith("callers-pool") for name in names)


def test_catch_on_the_map_state_catches_an_iteration_error():
    processor = {"StartAt": "Each", "States": item_task()}
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": processor,
                "Catch": [{"ErrorEquals": ["ItemError"], "ResultPath": "$.failed", "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Pass", "End": True},
        },
    }
    execution = StateMachine(definition, resources={FN: failing_on(2)}).run({"items": [1, 2]})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"items": [1, 2], "failed": {"Error": "ItemError", "Cause": "item 2 is bad"}}


def test_map_state_failed_follows_the_failing_iterations_last_state_event():
    machine = map_machine({"ItemsPath": "$.items", "MaxConcurrency": 1}, item_task(), {FN: failing_on(0)})
    events = machine.run({"items": [0]}).history
    assert [(e["type"], e["previousEventId"]) for e in events] == [
        ("ExecutionStarted", 0),
        ("MapStateEntered", 0),
        ("MapStateStarted", 2),
        ("MapIterationStarted", 3),
        ("TaskStateEntered", 4),
        ("LambdaFunctionScheduled", 5),
        ("LambdaFunctionStarted", 6),
        ("LambdaFunctionFailed", 7),
        ("MapIterationFailed", 8),
        ("MapStateFailed", 8),
        ("ExecutionFailed", 10),
    ]
    assert events[8]["mapIterationFailedEventDetails"] == {"name": "Fan", "index": 0}


def test_nested_runs_are_located_by_their_scope():
    inner_parallel = {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}},
        ],
        "End": True,
    }
    machine = map_machine({"ItemsPath": "$.items"}, {"Each": inner_parallel})
    steps = machine.run({"items": ["x"]}).steps
    assert {(s.name, s.scope) for s in steps} == {
        ("Fan", ()),
        ("Each", ("Fan", 0)),
        ("A", ("Fan", 0, "Each", 0)),
        ("B", ("Fan", 0, "Each", 1)),
    }
