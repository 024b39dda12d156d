"""A Resource nothing here serves: the task fails with States.Runtime saying what it would need.

As a ``.waitForTaskToken`` task it still waits for its token (its message goes nowhere, and the
TaskSubmitted event records ``{}``), so a test can answer it through the client.
"""
from __future__ import annotations

from typing import Any

from stepflow.integrations.base import Integration, TaskCall, event_style, runtime_failure


class Unsupported(Integration):
    patterns = frozenset({"waitForTaskToken"})

    def __init__(self, resource: str, reason: str) -> None:
        super().__init__(resource)
        self.reason = reason
        self.events = event_style(resource)  # type: ignore[misc]

    def invoke(self, call: TaskCall) -> Any:
        raise runtime_failure(self.reason)

    def send(self, call: TaskCall) -> Any:
        return {}
