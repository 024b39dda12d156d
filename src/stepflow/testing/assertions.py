"""Assertions on the path an execution took and the events it recorded, with readable failures.

Each takes a finished ``stepflow.Execution``; history helpers also take a list of events or a
``get_execution_history`` response, so they serve executions run through ``stepflow.client`` too.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from stepflow.engine.trace import Scope, StepRecord

Expected = str | tuple[str, Mapping[str, Any]]


def states_visited(execution: Any, scope: Scope = ()) -> list[str]:
    """The names of the states entered in ``scope`` (default: the top level), in order."""
    return [step.name for step in execution.steps if step.scope == tuple(scope)]


def assert_states_visited(execution: Any, expected: Sequence[str], *, scope: Scope = ()) -> None:
    """The states entered in ``scope`` were exactly ``expected``, in that order."""
    visited = states_visited(execution, scope)
    if visited != list(expected):
        where = f" in scope {tuple(scope)}" if scope else ""
        raise AssertionError(
            f"states visited{where}:\n  actual:   {visited}\n  expected: {list(expected)}"
            f"\n  (execution {execution.status}{_failure(execution)})"
        )


def assert_not_visited(execution: Any, *names: str) -> None:
    """None of ``names`` was entered anywhere (top level, branches or iterations)."""
    entered = sorted({step.name for step in execution.steps} & set(names))
    if entered:
        raise AssertionError(f"states {entered} were entered; visited: {[s.name for s in execution.steps]}")


def step(execution: Any, name: str, occurrence: int = 0, *, scope: Scope | None = None) -> StepRecord:
    """The StepRecord of the ``occurrence``-th visit (from 0) to state ``name``, optionally in ``scope``."""
    visits = [s for s in execution.steps if s.name == name and (scope is None or s.scope == tuple(scope))]
    if occurrence >= len(visits):
        raise AssertionError(
            f"state {name!r} was visited {len(visits)} time(s); visit {occurrence} does not exist"
        )
    return visits[occurrence]


def history_types(history: Any) -> list[str]:
    """The event types of an execution, an event list or a get_execution_history response, in order."""
    return [event["type"] for event in _events(history)]


def assert_history_contains(history: Any, expected: Iterable[Expected]) -> None:
    """``expected`` events occur in this order (others may come between). An item is an event type,
    or ``(type, details)`` where ``details`` is a subset of the event's details object."""
    events = _events(history)
    position = 0
    for wanted in expected:
        event_type, details = (wanted, None) if isinstance(wanted, str) else wanted
        while position < len(events) and not _matches(events[position], event_type, details):
            position += 1
        if position == len(events):
            shown = event_type if details is None else f"{event_type} with {dict(details)}"
            raise AssertionError(
                f"no {shown} in the history after the events matched before it; types: {history_types(events)}"
            )
        position += 1


def _matches(event: Mapping[str, Any], event_type: str, details: Mapping[str, Any] | None) -> bool:
    if event["type"] != event_type:
        return False
    if details is None:
        return True
    recorded = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
    return all(recorded.get(key) == value for key, value in details.items())


def _events(history: Any) -> list[Mapping[str, Any]]:
    if isinstance(history, Mapping):
        return list(history["events"])
    if hasattr(history, "history"):
        return list(history.history)
    return list(history)


def _failure(execution: Any) -> str:
    return f": {execution.error}: {execution.cause}" if getattr(execution, "error", None) else ""
