"""A handler registered for an exact Resource string answers that Resource, whatever it is.

``resources={"arn:aws:states:::sns:publish": publish}`` makes every ``sns:publish`` task call
``publish(effective_input, context)``: the way to stand in for a service stepflow does not emulate,
or to replace one it does. A service ARN keeps its Task* events; anything else writes Lambda's.
"""
from __future__ import annotations

from typing import Any

from stepflow.integrations.base import Integration, TaskCall, event_style, runtime_failure
from stepflow.integrations.lambda_context import LambdaContext
from stepflow.integrations.lambda_runtime import run_handler


class RegisteredHandler(Integration):
    patterns = frozenset({"waitForTaskToken"})

    def __init__(self, resource: str) -> None:
        super().__init__(resource)
        self.events = event_style(resource)  # type: ignore[misc]

    def invoke(self, call: TaskCall) -> Any:
        handler = call.resources.handler(self.resource)
        if handler is None:  # resources given to one run that lack the machine's handler
            raise runtime_failure(f"state {call.state_name!r}: no handler is registered for Resource {self.resource!r}")
        context = LambdaContext(call.state_name or self.resource, self.resource, call.timeout_seconds)
        return run_handler(
            handler, call.parameters, context, compact_cause=True, event_json=call.parameters_json,
            timeout_seconds=call.timeout_seconds, heartbeat_seconds=call.heartbeat_seconds, stop=call.stop,
        )
