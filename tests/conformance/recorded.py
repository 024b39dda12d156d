"""Running a definition and reading its history in the shape of an AWS recording.

The recordings quoted by these tests are LocalStack's AWS-validated snapshots
(``localstack/localstack``, ``tests/aws/services/stepfunctions/v2/**/*.snapshot.json``): the
``get_execution_history`` events of real executions, with JSON text fields shown parsed and the
``timestamp`` values elided. ``recorded`` puts a stepflow event into the same shape so that a test
can quote AWS's values directly.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from stepflow import Execution, StateMachine, VirtualClock

FUNCTION_ARN = "arn:aws:lambda:us-east-1:111111111111:function:conformance"
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"

# Detail fields holding JSON text; the recordings show them parsed.
_JSON_TEXT_FIELDS = ("input", "output", "parameters")


def run(
    definition: dict[str, Any],
    state_input: Any = None,
    resources: dict[str, Callable[..., Any]] | None = None,
) -> Execution:
    """One execution on a fresh virtual clock (Wait and Retry intervals pass instantly)."""
    machine = StateMachine(definition, resources=resources or {})
    return machine.run({} if state_input is None else state_input, clock=VirtualClock())


def recorded(event: dict[str, Any]) -> dict[str, Any]:
    """An event as the recordings show it: no timestamp, JSON text fields parsed."""
    shaped: dict[str, Any] = {}
    for key, value in event.items():
        if key == "timestamp":
            continue
        if key.endswith("EventDetails"):
            value = {
                field: json.loads(text) if field in _JSON_TEXT_FIELDS else text
                for field, text in value.items()
            }
        shaped[key] = value
    return shaped


def details(execution: Execution, event_id: int) -> dict[str, Any]:
    """The details object of one event (ids start at 1), in recorded shape."""
    event = recorded(execution.history[event_id - 1])
    keys = [key for key in event if key.endswith("EventDetails")]
    return event[keys[0]] if keys else {}


def assert_links(
    execution: Execution, expected: list[tuple[str, int]], *, differs: tuple[int, ...] = ()
) -> None:
    """The history is AWS's ``expected`` list of (type, previousEventId), event ids 1, 2, ...

    ``differs`` names event ids whose previousEventId is a known, reported difference: their
    type is still checked, their link is not.
    """
    actual = [(event["type"], event["previousEventId"]) for event in execution.history]
    assert [event_type for event_type, _ in actual] == [event_type for event_type, _ in expected]
    for event_id, (got, want) in enumerate(zip(actual, expected), start=1):
        if event_id not in differs:
            assert got == want, f"event {event_id}: stepflow {got}, AWS {want}"
