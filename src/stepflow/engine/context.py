"""The context object ``$$``: what a state can read about its execution, itself and its Map item.

Shaped as AWS documents it ("Accessing execution data from the Context object"): Execution
(Id, Input, Name, RoleArn, StartTime, RedriveCount), State (Name, EnteredTime, and RetryCount for a state with Retry),
StateMachine (Id, Name), Task (Token, for callback tasks), and Map.Item (Index, Value) inside a
Map state's ItemSelector. The execution part is built once per run and shared by every state.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

def iso_timestamp(moment: datetime) -> str:
    """AWS's context-object time format: ISO 8601, UTC, milliseconds, ``Z`` (2019-03-26T20:14:13.192Z)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def base_context(
    *,
    execution_id: str,
    name: str,
    input: Any,
    start_time: datetime,
    role_arn: str,
    machine_id: str,
    machine_name: str,
) -> dict[str, Any]:
    """The parts of ``$$`` that stay the same for the whole execution."""
    return {
        "Execution": {
            "Id": execution_id,
            "Input": input,
            "Name": name,
            "RoleArn": role_arn,
            "StartTime": iso_timestamp(start_time),
            "RedriveCount": 0,
        },
        "StateMachine": {"Id": machine_id, "Name": machine_name},
    }


def state_context(
    base: dict[str, Any],
    state_name: str,
    entered_time: datetime,
    retry_count: int | None = None,
    task_token: str | None = None,
) -> dict[str, Any]:
    """``$$`` as seen by one state visit: the shared execution part plus this state's own fields.

    ``State.RetryCount`` is there only for a state with a Retry field (``retry_count`` not None):
    AWS records ``{"Name", "EnteredTime"}`` alone for other states.
    """
    state: dict[str, Any] = {"Name": state_name, "EnteredTime": iso_timestamp(entered_time)}
    if retry_count is not None:
        state["RetryCount"] = retry_count
    context = {**base, "State": state}
    if task_token is not None:
        context["Task"] = {"Token": task_token}
    return context


def map_item_context(state_context: dict[str, Any], index: int, value: Any) -> dict[str, Any]:
    """``$$`` for a Map state's ItemSelector: the state's context plus ``Map.Item.Index/Value``."""
    return {**state_context, "Map": {"Item": {"Index": index, "Value": value}}}
