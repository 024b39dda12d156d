"""The contract between a Task state and what its Resource does.

A Task's ``Resource`` is resolved once, when the machine is compiled, to a ``Binding``: the
``Integration`` that serves it and the integration pattern (request-response, ``.sync``,
``.sync:2`` or ``.waitForTaskToken``). Each attempt of the task then hands the integration one
``TaskCall``. The engine writes the history events in the style the integration names
(``LambdaFunction*``, ``Task*`` with its resourceType/resource, or ``Activity*``), enforces
TimeoutSeconds/HeartbeatSeconds around it and waits for task tokens; the integration only does
the work and answers with the task's result or an ``ASLError`` named as AWS names it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Literal

from stepflow.asl.errors import RUNTIME, ASLError, StepflowError
from stepflow.asl.paths import to_json
from stepflow.runtime.clock import Clock
from stepflow.runtime.signals import StopSignal

if TYPE_CHECKING:
    from stepflow.integrations.resources import Resources

SERVICE_PREFIX = "arn:aws:states:::"
Pattern = Literal["", "sync", "sync:2", "waitForTaskToken"]
PATTERN_SUFFIXES: tuple[tuple[str, Pattern], ...] = (
    (".waitForTaskToken", "waitForTaskToken"),
    (".sync:2", "sync:2"),
    (".sync", "sync"),
)
# Which family of history events a task writes: LambdaFunction*, Task* or Activity*.
EventStyle = Literal["lambda", "task", "activity"]


class UnsupportedIntegration(StepflowError):
    """A Resource stepflow cannot run (as configured), named with its state and what it needs."""


@dataclass(frozen=True)
class TaskCall:
    """One attempt of a Task state: everything an integration may read.

    ``parameters`` is the task's effective input (after Parameters / Arguments); ``context`` the
    context object (``$$``) of this attempt; ``resources`` what the machine can reach (handlers,
    task tokens, the data root).
    """

    resource: str
    parameters: Any
    state_name: str
    resources: Resources
    clock: Clock
    context: dict[str, Any] = field(default_factory=dict)
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None
    stop: StopSignal | None = None
    # The effective input's JSON text, made once: for the history and for a handler's copy.
    parameters_json: str = ""

    def __post_init__(self) -> None:
        if not self.parameters_json:
            object.__setattr__(self, "parameters_json", to_json(self.parameters))

    @property
    def task_token(self) -> str | None:
        """``$$.Task.Token`` of a ``.waitForTaskToken`` attempt."""
        return (self.context.get("Task") or {}).get("Token")


class Integration:
    """What one kind of Resource does. Subclasses set ``events`` and implement ``invoke``.

    ``resource`` is the Resource without its pattern suffix. ``patterns`` lists the patterns the
    integration runs besides request-response; ``run_sync`` serves ``.sync`` and ``.sync:2``.
    """

    events: ClassVar[EventStyle] = "task"
    patterns: ClassVar[frozenset[Pattern]] = frozenset()

    def __init__(self, resource: str) -> None:
        self.resource = resource

    def task_names(self, pattern: Pattern = "") -> tuple[str, str]:
        """(resourceType, resource) as Task* events name this integration (see ``task_names``)."""
        return task_names(self.resource + pattern_suffix(pattern))

    def invoke(self, call: TaskCall) -> Any:
        """Do the work once and return the task's result; raise ASLError as AWS fails the task."""
        raise NotImplementedError

    def send(self, call: TaskCall) -> Any:
        """``.waitForTaskToken``: send the message that carries the token; its response is what
        TaskSubmitted records. The engine then waits for the token's answer."""
        return self.invoke(call)

    def run_sync(self, call: TaskCall, pattern: Pattern, submitted: Callable[[Any], None]) -> Any:
        """``.sync`` / ``.sync:2``: start the work, hand the start's response to ``submitted``
        (the TaskSubmitted event), and return the result once the work has finished."""
        raise NotImplementedError


@dataclass(frozen=True)
class Binding:
    """A Task state's Resource, resolved once: the integration and the pattern it runs in."""

    resource: str
    integration: Integration
    pattern: Pattern = ""

    @property
    def events(self) -> EventStyle:
        return self.integration.events

    @cached_property
    def task_names(self) -> tuple[str, str]:
        """Worked out once per state, on first use (a Lambda function ARN has none)."""
        return self.integration.task_names(self.pattern)


def split_pattern(resource: str) -> tuple[str, Pattern]:
    """``arn:aws:states:::sqs:sendMessage.waitForTaskToken`` -> (``...sqs:sendMessage``, "waitForTaskToken")."""
    for suffix, pattern in PATTERN_SUFFIXES:
        if resource.startswith(SERVICE_PREFIX) and resource.endswith(suffix):
            return resource[: -len(suffix)], pattern
    return resource, ""


def pattern_suffix(pattern: Pattern) -> str:
    return f".{pattern}" if pattern else ""


def task_names(resource_arn: str) -> tuple[str, str]:
    """(resourceType, resource) as Task* events name an optimized or SDK integration.

    ``arn:aws:states:::lambda:invoke`` -> ("lambda", "invoke");
    ``arn:aws:states:::states:startExecution.sync:2`` -> ("states", "startExecution.sync:2");
    ``arn:aws:states:::aws-sdk:s3:getObject`` -> ("aws-sdk:s3", "getObject").
    """
    rest = resource_arn[len(SERVICE_PREFIX):] if resource_arn.startswith(SERVICE_PREFIX) else ""
    service_parts = 2 if rest.startswith("aws-sdk:") else 1
    parts = rest.split(":", service_parts)
    if len(parts) <= service_parts or not all(parts):
        raise ValueError(f"{resource_arn!r} is not a service integration ARN ({SERVICE_PREFIX}SERVICE:API)")
    return ":".join(parts[:service_parts]), parts[service_parts]


def event_style(resource: str) -> EventStyle:
    """The events of a task answered by a plain handler: Task* for a service ARN, else Lambda's."""
    return "task" if resource.startswith(SERVICE_PREFIX) else "lambda"


def runtime_failure(message: str) -> ASLError:
    """States.Runtime: the task cannot run at all (nothing to retry or catch)."""
    return ASLError(RUNTIME, message)
