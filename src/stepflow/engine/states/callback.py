"""Task states that wait for an answer from outside the execution: callbacks and activities.

- ``"Resource": "arn:aws:states:::SERVICE:API.waitForTaskToken"``: the task sends its effective input
  (which passes ``$$.Task.Token`` on) through the handler registered for ``arn:aws:states:::SERVICE:API``
  (a service stepflow has no stand-in for sends nowhere; the token still waits), then waits for
  SendTaskSuccess / SendTaskFailure. History: TaskScheduled, TaskStarted, TaskSubmitted (the send's
  response), then TaskSucceeded, TaskFailed or TaskTimedOut, as AWS records callback tasks.
- ``"Resource": "arn:aws:states:REGION:ACCOUNT:activity:NAME"``: the task is queued until a worker
  takes it (GetActivityTask) and answers it. History: ActivityScheduled, ActivityStarted (with the
  worker's name), then ActivitySucceeded, ActivityFailed or ActivityTimedOut. An activity that
  was never created (or was deleted) fails the state with States.Runtime, as on AWS.
"""
from __future__ import annotations

from typing import Any

from stepflow.asl.errors import TIMEOUT, ASLError
from stepflow.asl.paths import StateDataError, to_json
from stepflow.engine.history import EventType, service_resource_parts
from stepflow.engine.states.base import Lane
from stepflow.resources.callbacks import CallbackHub, PendingTask, new_task_token
from stepflow.resources.registry import Target, UnsupportedIntegration

WAIT_FOR_TASK_TOKEN = ".waitForTaskToken"


def wait_for_answer(
    state_name: str,
    target: Target,
    data: Any,
    context: dict,
    lane: Lane,
    timeout: int | None,
    heartbeat: int | None,
) -> Any:
    """Run a callback or activity task to its answer; raises the ASLError it fails or times out with."""
    hub: CallbackHub = lane.run.registry.callbacks
    token = (context.get("Task") or {}).get("Token") or new_task_token()
    if target.kind == "activity":
        return _activity(hub, state_name, target.resource, token, data, lane, timeout, heartbeat)
    return _callback(hub, state_name, target.resource, token, data, lane, timeout, heartbeat)


def _callback(
    hub: CallbackHub,
    name: str,
    resource: str,
    token: str,
    data: Any,
    lane: Lane,
    timeout: int | None,
    heartbeat: int | None,
) -> Any:
    run, history = lane.run, lane.run.history
    lane.follow(
        history.task_scheduled(
            resource,
            data,
            timeout_in_seconds=timeout,
            heartbeat_in_seconds=heartbeat,
            previous_event_id=lane.last_event_id,
        )
    )
    lane.follow(history.task_started(resource, lane.last_event_id))
    # Open before sending: a handler may answer the token before it even returns.
    pending = hub.open(token, data, name, run.clock)
    try:
        submitted = _send(run.registry, resource[: -len(WAIT_FOR_TASK_TOKEN)], data, name, timeout)
        resource_type, api = service_resource_parts(resource)
        lane.follow(
            history.append(
                EventType.TaskSubmitted,
                {"resourceType": resource_type, "resource": api, "output": to_json(submitted),
                 "outputDetails": {"truncated": False}},
                lane.last_event_id,
            )
        )
        output = hub.wait(pending, timeout_seconds=timeout, heartbeat_seconds=heartbeat, check=lane.check)
    except ASLError as error:
        hub.close(pending)
        kind = EventType.TaskTimedOut if error.error == TIMEOUT else EventType.TaskFailed
        lane.follow(history.task_ended_in_error(kind, resource, error.error, error.cause, lane.last_event_id))
        raise
    lane.follow(history.task_succeeded(resource, output, lane.last_event_id))
    return output


def _send(registry: Any, resource: str, data: Any, state_name: str, timeout: int | None) -> Any:
    """The callback's message, through the handler of the plain integration; {} with none."""
    try:
        registry.resolve(resource, data, state_name)
    except UnsupportedIntegration:
        return {}
    return registry.invoke(resource, data, state_name=state_name, timeout_seconds=timeout)


def _activity(
    hub: CallbackHub,
    name: str,
    resource: str,
    token: str,
    data: Any,
    lane: Lane,
    timeout: int | None,
    heartbeat: int | None,
) -> Any:
    if not hub.activity_exists(resource):  # AWS: States.Runtime, no ActivityScheduled event
        raise StateDataError(f"The activity {resource} does not exist.")
    history = lane.run.history
    details: dict[str, Any] = {"resource": resource, "input": to_json(data), "inputDetails": {"truncated": False}}
    if timeout is not None:
        details["timeoutInSeconds"] = timeout
    if heartbeat is not None:
        details["heartbeatInSeconds"] = heartbeat
    lane.follow(history.append(EventType.ActivityScheduled, details, lane.last_event_id))
    pending = hub.open(token, data, name, lane.run.clock, activity_arn=resource)

    def started(task: PendingTask) -> None:
        worker = {"workerName": task.worker_name} if task.worker_name else {}
        lane.follow(history.append(EventType.ActivityStarted, worker, lane.last_event_id))

    try:
        output = hub.wait(
            pending, timeout_seconds=timeout, heartbeat_seconds=heartbeat, check=lane.check, on_start=started
        )
    except ASLError as error:
        kind = EventType.ActivityTimedOut if error.error == TIMEOUT else EventType.ActivityFailed
        failure = {k: v for k, v in (("error", error.error), ("cause", error.cause)) if v is not None}
        lane.follow(history.append(kind, failure, lane.last_event_id))
        raise
    lane.follow(
        history.append(
            EventType.ActivitySucceeded,
            {"output": to_json(output), "outputDetails": {"truncated": False}},
            lane.last_event_id,
        )
    )
    return output
