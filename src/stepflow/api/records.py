"""What the client keeps about each resource: state machines with their versions and aliases, and
executions (the running ones with their thread's future). ``record()`` is what the resource store
keeps of a state machine; ``Client._load_machine`` reads it back."""
from __future__ import annotations

import json
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from stepflow.engine.execution import Execution, StopRequest
from stepflow.engine.history import History
from stepflow.machine import StateMachine


@dataclass(eq=False)
class Version:
    """A published, immutable version of a state machine (``...:stateMachine:NAME:N``)."""

    arn: str
    machine: StateMachine
    definition: str
    role_arn: str
    revision_id: str
    description: str
    created: datetime


@dataclass(eq=False)
class Alias:
    arn: str
    name: str
    description: str
    routing: list[dict[str, Any]]
    created: datetime
    updated: datetime


@dataclass(eq=False)
class StateMachineEntry:
    machine: StateMachine
    definition: str
    role_arn: str
    type: str
    created: datetime
    revision_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    updated: datetime | None = None
    versions: dict[str, Version] = field(default_factory=dict)
    next_version: int = 1
    aliases: dict[str, Alias] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """What the resource store keeps (see ``Client._restore``)."""
        return {
            "name": self.machine.name, "definition": self.definition, "roleArn": self.role_arn, "type": self.type,
            "creationDate": self.created.isoformat(), "revisionId": self.revision_id,
            "updateDate": self.updated.isoformat() if self.updated else None, "nextVersion": self.next_version,
            "versions": [
                {"arn": v.arn, "definition": v.definition, "roleArn": v.role_arn, "revisionId": v.revision_id,
                 "description": v.description, "creationDate": v.created.isoformat()}
                for v in self.versions.values()
            ],
            "aliases": [
                {"arn": a.arn, "name": a.name, "description": a.description, "routing": a.routing,
                 "creationDate": a.created.isoformat(), "updateDate": a.updated.isoformat()}
                for a in self.aliases.values()
            ],
            "tags": self.tags,
        }


@dataclass(eq=False)
class ExecutionEntry:
    arn: str
    name: str
    state_machine: StateMachineEntry
    machine: StateMachine
    input: str
    history: History
    stop: StopRequest
    future: Future[Any] = field(default_factory=Future)
    version_arn: str | None = None
    alias_arn: str | None = None
    # The last RedriveExecution's clientToken and redriveDate: the same token again is the same call.
    redriven_by: tuple[str, datetime] | None = None

    @property
    def start_date(self) -> datetime:
        return self.history.events[0]["timestamp"]

    def execution(self) -> Any:
        """The ended execution, or while it runs one that says RUNNING (what Describe/List show)."""
        if self.future.done():
            return self.future.result()
        return Execution(
            execution_arn=self.arn, name=self.name, state_machine_arn=self.state_machine.machine.arn,
            input=json.loads(self.input), definition=self.machine.definition, start_date=self.start_date,
            history=self.history.events,
        )
