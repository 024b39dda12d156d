"""Where a redrive goes on (RedriveExecution), and how an execution cut off by a server restart
ends (ABORTED, never half-written)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from stepflow.machine import StateMachine


def redrive_point(events: list[dict[str, Any]], machine: StateMachine, execution_input: Any) -> tuple[str, Any]:
    """The top-level state a redrive runs again, and its input: the last one entered and not exited."""
    top_level = machine.compiled.root.states
    open_states: dict[str, Any] = {}
    last: str | None = None
    for event in events:
        details = event.get("stateEnteredEventDetails") or event.get("stateExitedEventDetails")
        if details is None or details["name"] not in top_level:
            continue
        if event["type"].endswith("StateEntered"):
            last = details["name"]
            open_states[last] = json.loads(details.get("input", "null"))
        else:
            open_states.pop(details["name"], None)
    if last is not None and last in open_states:
        return last, open_states[last]
    return machine.compiled.root.start_at, execution_input


def end_interrupted(execution: Any, now: datetime) -> None:
    """An execution the server was running when it stopped: ABORTED, with its ExecutionAborted event
    (the history stays as recorded up to the interruption, never half an event)."""
    last = execution.history[-1]["id"] if execution.history else 0
    execution.history.append({
        "timestamp": now, "type": "ExecutionAborted", "id": last + 1, "previousEventId": last,
        "executionAbortedEventDetails": {
            "error": "States.Runtime", "cause": "The execution was interrupted: the stepflow server stopped while it ran",
        },
    })
    execution.status, execution.stop_date = "ABORTED", now
    execution.error, execution.cause = "States.Runtime", execution.history[-1]["executionAbortedEventDetails"]["cause"]
