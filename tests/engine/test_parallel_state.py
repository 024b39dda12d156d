"""Parallel: branches really run concurrently; the result is their outputs in order; a failing
branch stops the others and fails the state with its own error, which a Catch on the state sees."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from stepflow import RealClock, StateMachine, TaskError, VirtualClock

FN_A = "arn:aws:lambda:us-east-1:123456789012:function:A"
FN_B = "arn:aws:lambda:us-east-1:123456789012:function:B"


def branch(start: str, states: dict) -> dict:
    return {"StartAt": start, "States": states}


def task(resource: str, next_state: str | None = None) -> dict:
    transition = {"Next": next_state} if next_state else {"End": True}
    return {"Type": "Task", "Resource": resource, **transition}


def parallel_machine(branches: list[dict], resources: dict, **state_fields) -> StateMachine:
    state = {"Type": "Parallel", "Branches": branches, "End": True, **state_fields}
    return StateMachine({"StartAt": "Both", "States": {"Both": state}}, resources=resources)


def test_guide_example_output_is_the_array_of_branch_outputs_in_branch_order():
    machine = parallel_machine(
        [branch("LookupAddress", {"LookupAddress": task(FN_A)}), branch("LookupPhone", {"LookupPhone": task(FN_B)})],
        {FN_A: lambda e, c: {"address": e["id"]}, FN_B: lambda e, c: {"phone": e["id"]}},
    )
    execution = machine.run({"id": 7})
    assert execution.output == [{"address": 7}, {"phone": 7}]
    scopes = {(s.name, s.scope) for s in execution.steps}
    assert scopes == {("Both", ()), ("LookupAddress", ("Both", 0)), ("LookupPhone", ("Both", 1))}


def test_branches_run_concurrently():
    barrier = threading.Barrier(2, timeout=5)

    def meet(event, context):
        barrier.wait()  # breaks (and fails the branch) unless both branches are inside at once
        return "met"

    machine = parallel_machine(
        [branch("X", {"X": task(FN_A)}), branch("Y", {"Y": task(FN_B)})], {FN_A: meet, FN_B: meet}
    )
    assert machine.run({}, clock=RealClock()).output == ["met", "met"]


def test_parameters_and_resultselector_and_resultpath_apply_to_the_whole_state():
    machine = parallel_machine(
        [branch("P", {"P": {"Type": "Pass", "End": True}}), branch("Q", {"Q": {"Type": "Pass", "Result": 2, "End": True}})],
        {},
        Parameters={"v.$": "$.value"},
        ResultSelector={"first.$": "$[0].v", "second.$": "$[1]"},
        ResultPath="$.results",
    )
    assert machine.run({"value": 1}).output == {"value": 1, "results": {"first": 1, "second": 2}}


def slow_then_more(event, context):
    time.sleep(0.3)
    return "slow"


def failing_branches() -> list[dict]:
    return [
        branch("Boom", {"Boom": task(FN_A)}),
        branch("Slow", {"Slow": task(FN_B, next_state="After"), "After": {"Type": "Pass", "End": True}}),
    ]


def boom(event, context):
    raise TaskError("BranchError", "branch 0 broke")


def test_a_failing_branch_fails_the_state_with_its_own_error_and_stops_the_others():
    machine = StateMachine(
        {
            "StartAt": "Both",
            "States": {"Both": {"Type": "Parallel", "Branches": failing_branches(), "End": True}},
        },
        resources={FN_A: boom, FN_B: slow_then_more},
    )
    execution = machine.run({}, clock=RealClock())
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "BranchError", "branch 0 broke")
    assert "After" not in [s.name for s in execution.steps]  # the other branch stopped at its next state
    types = [e["type"] for e in execution.history]
    assert types[-2:] == ["ParallelStateFailed", "ExecutionFailed"]
    assert "ParallelStateExited" not in types


def test_catch_on_the_parallel_state_catches_a_branch_error_by_name():
    machine = StateMachine(
        {
            "StartAt": "Both",
            "States": {
                "Both": {
                    "Type": "Parallel",
                    "Branches": failing_branches(),
                    "Catch": [{"ErrorEquals": ["BranchError"], "Next": "Handled", "ResultPath": "$.failure"}],
                    "End": True,
                },
                "Handled": {"Type": "Pass", "End": True},
            },
        },
        resources={FN_A: boom, FN_B: slow_then_more},
    )
    execution = machine.run({"in": 1}, clock=RealClock())
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"in": 1, "failure": {"Error": "BranchError", "Cause": "branch 0 broke"}}
    assert execution.steps[0].status == "CAUGHT"


def test_history_of_a_parallel_state_chains_each_branch_from_parallel_state_started():
    machine = parallel_machine(
        [branch("P", {"P": {"Type": "Pass", "End": True}}), branch("Q", {"Q": {"Type": "Pass", "End": True}})], {}
    )
    events = machine.run({}).history
    by_id = {e["id"]: e for e in events}
    started = next(e for e in events if e["type"] == "ParallelStateStarted")
    assert by_id[started["previousEventId"]]["type"] == "ParallelStateEntered"
    branch_entries = [e for e in events if e["type"] == "PassStateEntered"]
    assert [e["previousEventId"] for e in branch_entries] == [started["id"], started["id"]]
    for entered in branch_entries:
        exited = next(e for e in events if e["previousEventId"] == entered["id"])
        assert exited["type"] == "PassStateExited"
    succeeded = next(e for e in events if e["type"] == "ParallelStateSucceeded")
    assert by_id[succeeded["previousEventId"]]["type"] == "PassStateExited"
    assert [e["type"] for e in events][-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]



def test_on_virtual_time_parallel_waits_overlap_as_on_aws():
    def waits(seconds: int) -> dict:
        name = f"Wait{seconds}"
        return {"StartAt": name, "States": {name: {"Type": "Wait", "Seconds": seconds, "End": True}}}

    definition = {
        "StartAt": "Both",
        "States": {"Both": {"Type": "Parallel", "Branches": [waits(3600), waits(7200)], "End": True}},
    }
    execution = StateMachine(definition).run({}, clock=VirtualClock())
    assert execution.stop_date - execution.start_date == timedelta(hours=2)
    # Each branch's events carry its own time: the shorter Wait exits an hour in.
    exits = sorted(event["timestamp"] - execution.start_date for event in execution.history
                   if event["type"] == "WaitStateExited")
    assert exits == [timedelta(hours=1), timedelta(hours=2)]


@pytest.mark.parametrize(("concurrency", "minutes"), [(1, 3), (2, 2), (0, 1)])
def test_on_virtual_time_map_iterations_overlap_up_to_max_concurrency(concurrency, minutes):
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": concurrency,
                "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}},
                "End": True,
            }
        },
    }
    execution = StateMachine(definition).run([1, 2, 3], clock=VirtualClock())
    assert execution.stop_date - execution.start_date == timedelta(minutes=minutes)
