"""Parallel state histories, as recorded on AWS.

Evidence: localstack/localstack
``tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json`` (test_parallel_state, recorded 2023 and again as
test_parallel_state[PARALLEL_STATE] in 2024)
with ``templates/scenarios/statemachines/parallel_state.json5``. Branch events interleave
nondeterministically, so the recording (and this test) checks them as a set.
"""
from __future__ import annotations

from collections import Counter

from .recorded import details, run

BRANCHES = [["Branch1"], ["Branch21", "Branch22"], ["Branch31", "Branch32", "Branch33"]]


def chain(names: list[str]) -> dict:
    states = {
        name: {"Type": "Pass", **({"Next": names[i + 1]} if i + 1 < len(names) else {"End": True})}
        for i, name in enumerate(names)
    }
    return {"StartAt": names[0], "States": states}


def test_parallel_runs_every_branch_on_the_same_input_and_outputs_their_results_in_order():
    definition = {
        "StartAt": "LoadInput",
        "States": {
            "LoadInput": {"Type": "Pass", "Result": [1, 2, 3, 4], "Next": "ParallelState"},
            "ParallelState": {"Type": "Parallel", "End": True, "Branches": [chain(names) for names in BRANCHES]},
        },
    }
    execution = run(definition)
    history = execution.history
    head = [(event["type"], event["previousEventId"]) for event in history[:5]]
    assert [event_type for event_type, _ in head] == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "ParallelStateEntered", "ParallelStateStarted"
    ]
    # AWS: ParallelStateEntered follows event 3, ParallelStateStarted event 4.
    assert [previous for _, previous in head][2:] == [2, 3, 4]
    assert details(execution, 3)["output"] == [1, 2, 3, 4]
    assert details(execution, 4)["input"] == [1, 2, 3, 4]
    branch_events = Counter(
        (event["type"], details(execution, event["id"])["name"])
        for event in history
        if event["type"] in ("PassStateEntered", "PassStateExited") and event["id"] > 5
    )
    names = [name for branch in BRANCHES for name in branch]
    assert branch_events == Counter(
        [("PassStateEntered", name) for name in names] + [("PassStateExited", name) for name in names]
    )
    assert all(
        details(execution, event["id"])["input"] == [1, 2, 3, 4]
        for event in history[5:]
        if event["type"] == "PassStateEntered"
    )
    # AWS: 12 branch events (6-17), one more event (18), then ParallelStateExited 19, ExecutionSucceeded 20.
    assert len(history) == 20
    assert [event["type"] for event in history][-2:] == ["ParallelStateExited", "ExecutionSucceeded"]
    assert details(execution, len(history) - 1)["output"] == [[1, 2, 3, 4]] * 3
    assert details(execution, len(history)) == {"output": [[1, 2, 3, 4]] * 3, "outputDetails": {"truncated": False}}
