"""Build GetExecutionHistory-shaped event lists for tests, the way AWS links them.

Each event's ``previousEventId`` is the event before it unless ``after`` names another one, which
is how AWS chains the events of concurrent Parallel branches and Map iterations.
"""
from __future__ import annotations

from typing import Any

from stepflow.engine.history import details_key


class HistoryBuilder:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(self, event_type: str, after: int | None = None, **details: Any) -> int:
        event_id = len(self.events) + 1
        event: dict[str, Any] = {
            "timestamp": f"2026-11-26T10:00:{event_id:02d}.000000+00:00",
            "type": event_type,
            "id": event_id,
            "previousEventId": after if after is not None else event_id - 1,
        }
        key = details_key(event_type)
        if key is not None:
            event[key] = details
        self.events.append(event)
        return event_id

    def visit(self, state_type: str, name: str) -> int:
        """A visit of a state that records only its Entered and Exited events (Pass, Choice, Succeed)."""
        self.add(f"{state_type}StateEntered", name=name, input="{}")
        return self.add(f"{state_type}StateExited", name=name, output="{}")

    def task(self, name: str, after: int | None = None, failures: tuple[str, ...] = (),
             outcome: str = "succeeded") -> int:
        """A Task state visit: one failed attempt per error in ``failures``, then a successful
        attempt if ``outcome`` is "succeeded"; "caught" exits after the last failure (a Catch
        handled it), "failed" stops there. Returns the id of the visit's last event."""
        last = self.add("TaskStateEntered", after, name=name, input="{}")
        for error in failures:
            self.add("TaskScheduled", resourceType="lambda", resource="invoke")
            self.add("TaskStarted", resourceType="lambda", resource="invoke")
            last = self.add("TaskFailed", resourceType="lambda", resource="invoke", error=error, cause="")
        if outcome == "succeeded":
            self.add("TaskScheduled", resourceType="lambda", resource="invoke")
            self.add("TaskStarted", resourceType="lambda", resource="invoke")
            self.add("TaskSucceeded", resourceType="lambda", resource="invoke", output="{}")
        if outcome in ("succeeded", "caught"):
            last = self.add("TaskStateExited", name=name, output="{}")
        return last
