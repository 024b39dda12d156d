"""Parallel state histories, as recorded on AWS.

Evidence: localstack/localstack
``tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json``
(test_parallel_state, recorded 2023 and again as test_parallel_state[PARALLEL_STATE] in 2024;
test_parallel_state_fail; test_parallel_state_catch) with the templates
``templates/scenarios/statemachines/parallel_state.json5``, ``parallel_state_fail.json5`` and
``parallel_state_catch.json5``. Branch events interleave nondeterministically, so the recording
(and this test) checks them as a set.
"""
from __future__ import annotations

from collections import Counter

from .recorded import assert_links, details, run

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
    # AWS: ParallelStateExited (19) follows 17, the last branch event, as ParallelStateSucceeded does.
    assert [(event["type"], event["previousEventId"]) for event in history[17:19]] == [
        ("ParallelStateSucceeded", 17), ("ParallelStateExited", 17)
    ]
    assert details(execution, len(history) - 1)["output"] == [[1, 2, 3, 4]] * 3
    assert details(execution, len(history)) == {"output": [[1, 2, 3, 4]] * 3, "outputDetails": {"truncated": False}}


def failing_branch(**fail_fields: str) -> dict:
    return {"StartAt": "Branch1", "States": {"Branch1": {"Type": "Fail", "Error": "FailureType", **fail_fields}}}


def test_failing_branch_fails_the_parallel_and_the_execution():
    definition = {
        "StartAt": "ParallelState",
        "States": {"ParallelState": {"Type": "Parallel", "End": True, "Branches": [failing_branch()]}},
    }
    execution = run(definition)
    assert_links(
        execution,
        [
            ("ExecutionStarted", 0),
            ("ParallelStateEntered", 0),
            ("ParallelStateStarted", 2),
            ("FailStateEntered", 3),
            ("ParallelStateFailed", 4),
            ("ExecutionFailed", 5),
        ],
    )
    assert details(execution, 4) == {"input": {}, "inputDetails": {"truncated": False}, "name": "Branch1"}
    assert details(execution, 6) == {"error": "FailureType"}


def test_caught_branch_failure_exits_the_parallel_with_the_error_output():
    definition = {
        "StartAt": "ParallelState",
        "States": {
            "ParallelState": {
                "Type": "Parallel",
                "Branches": [failing_branch(Cause="Cause description")],
                "Catch": [{"ErrorEquals": ["FailureType"], "Next": "FinalCaught"}],
                "Next": "Final",
            },
            "FinalCaught": {"Type": "Pass", "End": True},
            "Final": {"Type": "Pass", "End": True},
        },
    }
    execution = run(definition)
    assert_links(
        execution,
        [
            ("ExecutionStarted", 0),
            ("ParallelStateEntered", 0),
            ("ParallelStateStarted", 2),
            ("FailStateEntered", 3),
            ("ParallelStateFailed", 4),
            ("ParallelStateExited", 5),
            ("PassStateEntered", 6),
            ("PassStateExited", 7),
            ("ExecutionSucceeded", 8),
        ],
    )
    error_output = {"Error": "FailureType", "Cause": "Cause description"}
    assert details(execution, 6) == {"name": "ParallelState", "output": error_output, "outputDetails": {"truncated": False}}
    assert execution.output == error_output


def test_retried_parallel_starts_again_without_a_parallel_state_failed_between_attempts():
    definition = {
        "StartAt": "ParallelState",
        "States": {
            "ParallelState": {
                "Type": "Parallel",
                "End": True,
                "Branches": [failing_branch()],
                "Retry": [{"ErrorEquals": ["FailureType"], "MaxAttempts": 1}],
            }
        },
    }
    execution = run(definition)
    # AWS (test_parallel_state_retry): the second ParallelStateStarted follows the FailStateEntered.
    assert_links(
        execution,
        [
            ("ExecutionStarted", 0),
            ("ParallelStateEntered", 0),
            ("ParallelStateStarted", 2),
            ("FailStateEntered", 3),
            ("ParallelStateStarted", 4),
            ("FailStateEntered", 5),
            ("ParallelStateFailed", 6),
            ("ExecutionFailed", 7),
        ],
    )
