"""Calling an integration directly, as a Task state's attempt would, without a state machine."""
from __future__ import annotations

from typing import Any

from stepflow.integrations.base import TaskCall
from stepflow.integrations.resources import Resources
from stepflow.integrations.table import resolve
from stepflow.runtime.clock import Clock, RealClock


def invoke(
    resources: Resources, resource: str, payload: Any, *, state_name: str = "", clock: Clock | None = None,
    timeout_seconds: int | None = None, heartbeat_seconds: int | None = None, stop: Any = None,
) -> Any:
    """The task result of ``resource`` on ``payload`` (its effective input), or the ASLError it raises."""
    binding = resolve(resource, resources, state_name)
    call = TaskCall(
        resource, payload, state_name, resources, clock or RealClock(),
        timeout_seconds=timeout_seconds, heartbeat_seconds=heartbeat_seconds, stop=stop,
    )
    return binding.integration.invoke(call)
