"""An execution's event log, shaped exactly like GetExecutionHistory's ``events``.

Every event has ``timestamp``, ``type``, ``id`` (from 1), ``previousEventId`` (0 for the first) and,
for the types that have one, the details key AWS uses (``stateEnteredEventDetails``...). The event
types and the fields of each details object are those of the Step Functions API reference
(``HistoryEvent``, ``HistoryEventType``). Inputs and outputs are JSON *strings*, as AWS gives them.
"""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Callable

from stepflow.asl.paths import to_json
from stepflow.runtime.arns import DEFAULT_REGION, DEFAULT_ROLE_ARN
from stepflow.runtime.clock import Clock

class EventType(StrEnum):
    """Every HistoryEventType AWS defines."""

    ActivityFailed = "ActivityFailed"
    ActivityScheduled = "ActivityScheduled"
    ActivityScheduleFailed = "ActivityScheduleFailed"
    ActivityStarted = "ActivityStarted"
    ActivitySucceeded = "ActivitySucceeded"
    ActivityTimedOut = "ActivityTimedOut"
    ChoiceStateEntered = "ChoiceStateEntered"
    ChoiceStateExited = "ChoiceStateExited"
    ExecutionAborted = "ExecutionAborted"
    ExecutionFailed = "ExecutionFailed"
    ExecutionStarted = "ExecutionStarted"
    ExecutionSucceeded = "ExecutionSucceeded"
    ExecutionTimedOut = "ExecutionTimedOut"
    FailStateEntered = "FailStateEntered"
    LambdaFunctionFailed = "LambdaFunctionFailed"
    LambdaFunctionScheduled = "LambdaFunctionScheduled"
    LambdaFunctionScheduleFailed = "LambdaFunctionScheduleFailed"
    LambdaFunctionStarted = "LambdaFunctionStarted"
    LambdaFunctionStartFailed = "LambdaFunctionStartFailed"
    LambdaFunctionSucceeded = "LambdaFunctionSucceeded"
    LambdaFunctionTimedOut = "LambdaFunctionTimedOut"
    MapIterationAborted = "MapIterationAborted"
    MapIterationFailed = "MapIterationFailed"
    MapIterationStarted = "MapIterationStarted"
    MapIterationSucceeded = "MapIterationSucceeded"
    MapStateAborted = "MapStateAborted"
    MapStateEntered = "MapStateEntered"
    MapStateExited = "MapStateExited"
    MapStateFailed = "MapStateFailed"
    MapStateStarted = "MapStateStarted"
    MapStateSucceeded = "MapStateSucceeded"
    ParallelStateAborted = "ParallelStateAborted"
    ParallelStateEntered = "ParallelStateEntered"
    ParallelStateExited = "ParallelStateExited"
    ParallelStateFailed = "ParallelStateFailed"
    ParallelStateStarted = "ParallelStateStarted"
    ParallelStateSucceeded = "ParallelStateSucceeded"
    PassStateEntered = "PassStateEntered"
    PassStateExited = "PassStateExited"
    SucceedStateEntered = "SucceedStateEntered"
    SucceedStateExited = "SucceedStateExited"
    TaskFailed = "TaskFailed"
    TaskScheduled = "TaskScheduled"
    TaskStarted = "TaskStarted"
    TaskStartFailed = "TaskStartFailed"
    TaskStateAborted = "TaskStateAborted"
    TaskStateEntered = "TaskStateEntered"
    TaskStateExited = "TaskStateExited"
    TaskSubmitFailed = "TaskSubmitFailed"
    TaskSubmitted = "TaskSubmitted"
    TaskSucceeded = "TaskSucceeded"
    TaskTimedOut = "TaskTimedOut"
    WaitStateAborted = "WaitStateAborted"
    WaitStateEntered = "WaitStateEntered"
    WaitStateExited = "WaitStateExited"
    MapRunAborted = "MapRunAborted"
    MapRunFailed = "MapRunFailed"
    MapRunStarted = "MapRunStarted"
    MapRunSucceeded = "MapRunSucceeded"
    ExecutionRedriven = "ExecutionRedriven"
    MapRunRedriven = "MapRunRedriven"
    EvaluationFailed = "EvaluationFailed"


_ERROR = ("error", "cause")
_TASK_ERROR = ("resourceType", "resource", "error", "cause")
_TASK_OUTPUT = ("resourceType", "resource", "output", "outputDetails")
_MAP_ITERATION = ("name", "index")

# The fields each details object may hold (API reference, the *EventDetails data types).
DETAILS_FIELDS: dict[str, tuple[str, ...]] = {
    "activityFailedEventDetails": _ERROR,
    "activityScheduleFailedEventDetails": _ERROR,
    "activityScheduledEventDetails": (
        "resource", "input", "inputDetails", "timeoutInSeconds", "heartbeatInSeconds"
    ),
    "activityStartedEventDetails": ("workerName",),
    "activitySucceededEventDetails": ("output", "outputDetails"),
    "activityTimedOutEventDetails": _ERROR,
    "taskFailedEventDetails": _TASK_ERROR,
    "taskScheduledEventDetails": (
        "resourceType", "resource", "region", "parameters", "timeoutInSeconds",
        "heartbeatInSeconds", "taskCredentials",
    ),
    "taskStartFailedEventDetails": _TASK_ERROR,
    "taskStartedEventDetails": ("resourceType", "resource"),
    "taskSubmitFailedEventDetails": _TASK_ERROR,
    "taskSubmittedEventDetails": _TASK_OUTPUT,
    "taskSucceededEventDetails": _TASK_OUTPUT,
    "taskTimedOutEventDetails": _TASK_ERROR,
    "executionFailedEventDetails": _ERROR,
    "executionStartedEventDetails": (
        "input", "inputDetails", "roleArn", "stateMachineAliasArn", "stateMachineVersionArn"
    ),
    "executionSucceededEventDetails": ("output", "outputDetails"),
    "executionAbortedEventDetails": _ERROR,
    "executionTimedOutEventDetails": _ERROR,
    "executionRedrivenEventDetails": ("redriveCount",),
    "mapStateStartedEventDetails": ("length",),
    "mapIterationStartedEventDetails": _MAP_ITERATION,
    "mapIterationSucceededEventDetails": _MAP_ITERATION,
    "mapIterationFailedEventDetails": _MAP_ITERATION,
    "mapIterationAbortedEventDetails": _MAP_ITERATION,
    "lambdaFunctionFailedEventDetails": _ERROR,
    "lambdaFunctionScheduleFailedEventDetails": _ERROR,
    "lambdaFunctionScheduledEventDetails": (
        "resource", "input", "inputDetails", "timeoutInSeconds", "taskCredentials"
    ),
    "lambdaFunctionStartFailedEventDetails": _ERROR,
    "lambdaFunctionSucceededEventDetails": ("output", "outputDetails"),
    "lambdaFunctionTimedOutEventDetails": _ERROR,
    "stateEnteredEventDetails": ("name", "input", "inputDetails"),
    "stateExitedEventDetails": (
        "name", "output", "outputDetails", "assignedVariables", "assignedVariablesDetails"
    ),
    "mapRunStartedEventDetails": ("mapRunArn",),
    "mapRunFailedEventDetails": _ERROR,
    "mapRunRedrivenEventDetails": ("mapRunArn", "redriveCount"),
    "evaluationFailedEventDetails": ("error", "cause", "location", "state"),
}


def details_key(event_type: EventType | str) -> str | None:
    """The HistoryEvent member holding this type's details, or None for a type that has none.

    Every ``<Type>StateEntered``/``Exited`` shares ``stateEntered``/``stateExitedEventDetails``;
    otherwise the key is the type in lower camel case (ParallelStateStarted has no details).
    """
    event_type = EventType(event_type)
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    key = f"{event_type[0].lower()}{event_type[1:]}EventDetails"
    return key if key in DETAILS_FIELDS else None


_DETAILS_KEYS: dict[EventType, str | None] = {event_type: details_key(event_type) for event_type in EventType}


@dataclass(frozen=True)
class StateEvents:
    """The event types one state type produces; None where AWS has no such event."""

    entered: EventType
    exited: EventType | None
    aborted: EventType | None
    started: EventType | None = None
    succeeded: EventType | None = None
    failed: EventType | None = None


STATE_TYPES = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")


@functools.cache
def state_events(state_type: str) -> StateEvents:
    """The event names for a state type, e.g. ``state_events("Map").started == MapStateStarted``.

    A Fail state has no Exited event (the execution fails right after FailStateEntered); only Task,
    Wait, Parallel and Map states can be aborted; only Parallel and Map have Started/Succeeded/Failed.
    """
    if state_type not in STATE_TYPES:
        raise ValueError(f"unknown state type {state_type!r}; expected one of {', '.join(STATE_TYPES)}")

    def named(suffix: str) -> EventType | None:
        return EventType.__members__.get(f"{state_type}State{suffix}")

    return StateEvents(
        entered=EventType(f"{state_type}StateEntered"),
        exited=named("Exited"),
        aborted=named("Aborted"),
        started=named("Started"),
        succeeded=named("Succeeded"),
        failed=named("Failed"),
    )


def history_json(events: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"events": [...]}`` as ``aws stepfunctions get-execution-history`` prints it."""
    return {"events": [{**event, "timestamp": format_timestamp(event["timestamp"])} for event in events]}


def format_timestamp(moment: datetime) -> str:
    """A timestamp as AWS CLI v2 prints it (Python's isoformat) at AWS's millisecond precision,
    e.g. ``2024-05-01T12:00:05.215000+00:00``; a whole second prints without a fraction."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000).isoformat()


# AWS's hard quota of 25,000 history events: event 25,000 is ExecutionFailed unless it ends the
# execution anyway ("Avoid reaching the history quota", developer guide; the error and cause as
# real executions record them, quoted in loads/ardere issue 86 and floci-io/floci issue 2734).
MAX_HISTORY_EVENTS = 25_000
HISTORY_LIMIT_ERROR = "States.Runtime"
HISTORY_LIMIT_CAUSE = "The execution reached the maximum number of history events (25000)."
_CLOSING_EVENTS = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}


class HistoryLimitReached(Exception):
    """The history is full: its last event failed the execution; nothing more can run or be recorded."""


class History:
    """A thread-safe, append-only event log; ids are handed out under one lock.

    ``on_event`` (if set) is called with each event once recorded, outside the lock, e.g. to show
    progress. Recorded events are never changed afterwards. Recording the event that would take
    the last of ``max_events`` places records ExecutionFailed there instead and raises
    HistoryLimitReached, as does any later recording.
    """

    def __init__(
        self,
        clock: Clock,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        max_events: int = MAX_HISTORY_EVENTS,
    ) -> None:
        self._clock = clock
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.on_event = on_event
        self.max_events = max_events
        self.full = False

    @property
    def events(self) -> list[dict[str, Any]]:
        """The events so far (a new list of the recorded, never-changed event dicts), timestamps
        as datetimes (as boto3 returns them). Do not modify the dicts."""
        with self._lock:
            return list(self._events)

    @property
    def last_event_id(self) -> int:
        with self._lock:
            return len(self._events)

    def append(
        self,
        event_type: EventType | str,
        details: dict[str, Any] | None = None,
        previous_event_id: int | None = None,
    ) -> int:
        """Record an event and return its id.

        ``previous_event_id`` defaults to the last event recorded; concurrent branches pass the
        event they follow (a branch's first StateEntered follows ParallelStateStarted).
        Details are checked against the type's AWS fields, so a misspelt field fails here.
        """
        event_type = EventType(event_type)
        key = _DETAILS_KEYS[event_type]
        if details and key is None:
            raise ValueError(f"{event_type} events carry no details, got {sorted(details)}")
        if key is not None and details:
            unknown = set(details) - set(DETAILS_FIELDS[key])
            if unknown:
                raise ValueError(f"{key} has no field(s) {sorted(unknown)}")
        return self._record(event_type, key, dict(details) if details else {}, previous_event_id)

    def _record(
        self, event_type: EventType, key: str | None, details: dict[str, Any] | None, previous_event_id: int | None
    ) -> int:
        """Append an event whose details are known to be right (the typed helpers' fast path).

        The clock is read before taking the lock. On a VirtualClock each concurrent branch records
        its own timeline's time, so timestamps follow each branch, not the event ids.
        """
        now = self._clock.now()
        event: dict[str, Any] = {"timestamp": now, "type": event_type.value, "id": 0, "previousEventId": 0}
        if key is not None:
            event[key] = details if details is not None else {}
        with self._lock:
            if self.full:
                raise HistoryLimitReached()
            event_id = len(self._events) + 1
            if previous_event_id is None:
                previous_event_id = event_id - 1
            elif not 0 <= previous_event_id < event_id:
                raise ValueError(f"previousEventId {previous_event_id} is not an earlier event")
            if event_id >= self.max_events and event_type.value not in _CLOSING_EVENTS:
                self.full = True
                event = {
                    "timestamp": now, "type": EventType.ExecutionFailed.value, "id": event_id,
                    "previousEventId": event_id - 1,
                    "executionFailedEventDetails": _error(HISTORY_LIMIT_ERROR, HISTORY_LIMIT_CAUSE),
                }
            else:
                event["id"], event["previousEventId"] = event_id, previous_event_id
            self._events.append(event)
        if self.on_event is not None:
            self.on_event(event)
        if self.full:
            raise HistoryLimitReached()
        return event_id

    def to_json(self) -> dict[str, Any]:
        """``{"events": [...]}`` as ``aws stepfunctions get-execution-history`` prints it."""
        return history_json(self.events)

    # --- typed helpers: one per event family, so callers cannot misspell a type or field --------
    # They skip append's field check (their fields are right by construction): the run loop's fast path.

    def _typed(
        self, event_type: EventType, details: dict[str, Any] | None = None, previous_event_id: int | None = None
    ) -> int:
        return self._record(event_type, _DETAILS_KEYS[event_type], details, previous_event_id)

    def state_entered_json(
        self, event_type: EventType, name: str, input_json: str, previous_event_id: int | None = None
    ) -> int:
        """``<Type>StateEntered`` from the input's JSON text, already made (the run loop has it)."""
        details = {"name": name, "input": input_json, "inputDetails": {"truncated": False}}
        return self._record(event_type, "stateEnteredEventDetails", details, previous_event_id)

    def state_exited_json(
        self,
        event_type: EventType,
        name: str,
        output_json: str,
        previous_event_id: int | None = None,
        assigned_json: dict[str, str] | None = None,
    ) -> int:
        """``<Type>StateExited`` from the output's (and assigned variables') JSON text."""
        details: dict[str, Any] = {"name": name, "output": output_json, "outputDetails": {"truncated": False}}
        if assigned_json is not None:
            details["assignedVariables"] = assigned_json
            details["assignedVariablesDetails"] = {"truncated": False}
        return self._record(event_type, "stateExitedEventDetails", details, previous_event_id)

    def execution_redriven(self, earlier: list[dict[str, Any]], redrive_count: int) -> int:
        """Go on from a redriven execution's ``earlier`` events (this history must be empty)."""
        with self._lock:
            if self._events:
                raise ValueError("a redrive continues an earlier history; this one has events")
            self._events = list(earlier)
        return self.append(EventType.ExecutionRedriven, {"redriveCount": redrive_count})

    def execution_started(self, input: Any, role_arn: str = DEFAULT_ROLE_ARN) -> int:
        return self._typed(
            EventType.ExecutionStarted,
            {"input": to_json(input), "inputDetails": {"truncated": False}, "roleArn": role_arn},
        )

    def execution_succeeded(self, output_json: str, previous_event_id: int | None = None) -> int:
        return self._typed(EventType.ExecutionSucceeded, _output_json(output_json), previous_event_id)

    def execution_ended_in_error(
        self,
        status: str,
        error: str | None,
        cause: str | None,
        previous_event_id: int | None = None,
    ) -> int:
        """ExecutionFailed / ExecutionTimedOut / ExecutionAborted, by the execution's status."""
        event_type = {
            "FAILED": EventType.ExecutionFailed,
            "TIMED_OUT": EventType.ExecutionTimedOut,
            "ABORTED": EventType.ExecutionAborted,
        }[status]
        return self._typed(event_type, _error(error, cause), previous_event_id)

    def state_entered(
        self, state_type: str, name: str, input: Any, previous_event_id: int | None = None
    ) -> int:
        return self._typed(
            state_events(state_type).entered,
            {"name": name, "input": to_json(input), "inputDetails": {"truncated": False}},
            previous_event_id,
        )

    def state_exited(
        self,
        state_type: str,
        name: str,
        output: Any,
        previous_event_id: int | None = None,
        assigned_variables: dict[str, Any] | None = None,
    ) -> int:
        """``<Type>StateExited``; ``assigned_variables`` are a JSONata-era state's Assign results."""
        exited = state_events(state_type).exited
        if exited is None:
            raise ValueError(f"a {state_type} state has no Exited event")
        details = {"name": name, **_output(output)}
        if assigned_variables is not None:
            details["assignedVariables"] = {k: to_json(v) for k, v in assigned_variables.items()}
            details["assignedVariablesDetails"] = {"truncated": False}
        return self._typed(exited, details, previous_event_id)

    def state_aborted(self, state_type: str, previous_event_id: int | None = None) -> int:
        aborted = state_events(state_type).aborted
        if aborted is None:
            raise ValueError(f"a {state_type} state has no Aborted event")
        return self._typed(aborted, None, previous_event_id)

    def container_event(
        self, state_type: str, phase: str, previous_event_id: int | None = None, length: int | None = None
    ) -> int:
        """Parallel/Map ``StateStarted`` / ``StateSucceeded`` / ``StateFailed`` (phase: started,
        succeeded or failed); ``length`` is a Map state's item count, given on MapStateStarted."""
        if phase not in ("started", "succeeded", "failed"):
            raise ValueError(f"phase must be started, succeeded or failed, got {phase!r}")
        event_type = getattr(state_events(state_type), phase)
        if event_type is None:
            raise ValueError(f"a {state_type} state has no {phase!r} event")
        details = {"length": length} if length is not None else None
        return self._typed(event_type, details, previous_event_id)

    def map_iteration(
        self, phase: str, map_state_name: str, index: int, previous_event_id: int | None = None
    ) -> int:
        """MapIterationStarted / Succeeded / Failed / Aborted (phase in lower case)."""
        event_type = EventType(f"MapIteration{phase.capitalize()}")
        return self._typed(event_type, {"name": map_state_name, "index": index}, previous_event_id)

    def lambda_function_scheduled(
        self,
        resource: str,
        input_json: str,
        timeout_in_seconds: int | None = None,
        previous_event_id: int | None = None,
    ) -> int:
        """Takes the input's JSON text, which the task has made once for the handler too."""
        details: dict[str, Any] = {
            "resource": resource,
            "input": input_json,
            "inputDetails": {"truncated": False},
        }
        if timeout_in_seconds is not None:
            details["timeoutInSeconds"] = timeout_in_seconds
        return self._typed(EventType.LambdaFunctionScheduled, details, previous_event_id)

    def lambda_function_started(self, previous_event_id: int | None = None) -> int:
        return self._typed(EventType.LambdaFunctionStarted, None, previous_event_id)

    def lambda_function_succeeded(self, output_json: str, previous_event_id: int | None = None) -> int:
        """Takes the result's JSON text, made once for the payload-size check."""
        return self._typed(EventType.LambdaFunctionSucceeded, _output_json(output_json), previous_event_id)

    def lambda_function_ended_in_error(
        self, event_type: EventType, error: str | None, cause: str | None, previous_event_id: int | None = None
    ) -> int:
        """LambdaFunctionFailed / TimedOut / StartFailed / ScheduleFailed."""
        if not event_type.startswith("LambdaFunction") or details_key(event_type) is None:
            raise ValueError(f"{event_type} is not a Lambda function error event")
        return self._typed(event_type, _error(error, cause), previous_event_id)

    def task_scheduled(
        self,
        task: tuple[str, str],
        parameters_json: str,
        region: str = DEFAULT_REGION,
        timeout_in_seconds: int | None = None,
        heartbeat_in_seconds: int | None = None,
        previous_event_id: int | None = None,
    ) -> int:
        details: dict[str, Any] = {
            **_task(task),
            "region": region,
            "parameters": parameters_json,
        }
        if timeout_in_seconds is not None:
            details["timeoutInSeconds"] = timeout_in_seconds
        if heartbeat_in_seconds is not None:
            details["heartbeatInSeconds"] = heartbeat_in_seconds
        return self._typed(EventType.TaskScheduled, details, previous_event_id)

    def task_started(self, task: tuple[str, str], previous_event_id: int | None = None) -> int:
        return self._typed(EventType.TaskStarted, _task(task), previous_event_id)

    def task_submitted(self, task: tuple[str, str], output: Any, previous_event_id: int | None = None) -> int:
        """A callback task's message was sent (``.waitForTaskToken``): the send's response."""
        return self._typed(EventType.TaskSubmitted, {**_task(task), **_output(output)}, previous_event_id)

    def task_succeeded(self, task: tuple[str, str], output_json: str, previous_event_id: int | None = None) -> int:
        return self._typed(EventType.TaskSucceeded, {**_task(task), **_output_json(output_json)}, previous_event_id)

    def task_ended_in_error(
        self,
        event_type: EventType,
        task: tuple[str, str],
        error: str | None,
        cause: str | None,
        previous_event_id: int | None = None,
    ) -> int:
        """TaskFailed / TaskTimedOut / TaskStartFailed / TaskSubmitFailed."""
        if event_type not in _TASK_ERROR_EVENTS:
            raise ValueError(f"{event_type} is not a task error event")
        return self._typed(
            event_type, {**_task(task), **_error(error, cause)}, previous_event_id
        )


_TASK_ERROR_EVENTS = frozenset(
    {EventType.TaskFailed, EventType.TaskTimedOut, EventType.TaskStartFailed, EventType.TaskSubmitFailed}
)


def _output(output: Any) -> dict[str, Any]:
    return _output_json(to_json(output))


def _output_json(output_json: str) -> dict[str, Any]:
    return {"output": output_json, "outputDetails": {"truncated": False}}


def _error(error: str | None, cause: str | None) -> dict[str, Any]:
    """AWS leaves out an error or cause that is absent rather than writing null."""
    return {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}


def _task(task: tuple[str, str]) -> dict[str, str]:
    """``resourceType`` and ``resource`` as Task* events name an integration (see integrations.base)."""
    resource_type, resource = task
    return {"resourceType": resource_type, "resource": resource}
