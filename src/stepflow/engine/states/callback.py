"""Task states that wait for an answer from outside the execution: callbacks and activities.

- ``"Resource": "arn:aws:states:::SERVICE:API.waitForTaskToken"``: the task sends its effective input
  (which passes ``$$.Task.Token`` on) through its integration (``Integration.send``), then waits for
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
from stepflow.engine.history import EventType
from stepflow.engine.states.base import Lane
from stepflow.runtime.signals import Stopped
from stepflow.integrations.base import Binding, TaskCall
from stepflow.integrations.callbacks import NoAnswerComing, PendingTask, new_task_token


def wait_for_callback(binding: Binding, call: TaskCall, lane: Lane) -> Any:
    """Run a ``.waitForTaskToken`` task to its answer; raises the ASLError it fails or times out with."""
    history, hub = lane.run.history, call.resources.callbacks
    names = binding.task_names
    lane.follow(
        history.task_scheduled(
            names, call.parameters_json, timeout_in_seconds=call.timeout_seconds,
            heartbeat_in_seconds=call.heartbeat_seconds, previous_event_id=lane.last_event_id,
        )
    )
    lane.follow(history.task_started(names, lane.last_event_id))
    # Open before sending: the receiver may answer the token before the send even returns.
    pending = hub.open(call.task_token or new_task_token(), call.parameters, call.state_name, call.clock)
    try:
        submitted = binding.integration.send(call)
        lane.follow(history.task_submitted(names, submitted, lane.last_event_id))
        output = _wait(pending, call, lane)
    except ASLError as error:
        hub.close(pending)
        kind = EventType.TaskTimedOut if error.error == TIMEOUT else EventType.TaskFailed
        lane.follow(history.task_ended_in_error(kind, names, error.error, error.cause, lane.last_event_id))
        raise
    lane.follow(history.task_succeeded(names, to_json(output), lane.last_event_id))
    return output


def wait_for_activity(call: TaskCall, lane: Lane) -> Any:
    """Queue an activity task for a worker and wait for its answer."""
    hub = call.resources.callbacks
    if not hub.activity_exists(call.resource):  # AWS: States.Runtime, no ActivityScheduled event
        raise StateDataError(f"The activity {call.resource} does not exist.")
    history = lane.run.history
    details: dict[str, Any] = {"resource": call.resource, "input": to_json(call.parameters), "inputDetails": {"truncated": False}}
    if call.timeout_seconds is not None:
        details["timeoutInSeconds"] = call.timeout_seconds
    if call.heartbeat_seconds is not None:
        details["heartbeatInSeconds"] = call.heartbeat_seconds
    lane.follow(history.append(EventType.ActivityScheduled, details, lane.last_event_id))
    pending = hub.open(new_task_token(), call.parameters, call.state_name, call.clock, activity_arn=call.resource)

    def started(task: PendingTask) -> None:
        worker = {"workerName": task.worker_name} if task.worker_name else {}
        lane.follow(history.append(EventType.ActivityStarted, worker, lane.last_event_id))

    try:
        output = _wait(pending, call, lane, on_start=started)
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


def _wait(pending: PendingTask, call: TaskCall, lane: Lane, **options: Any) -> Any:
    """The task's answer; a settling run (``Run.settle_waits``) that nothing can answer stops, and
    ``execute`` then raises UnansweredTask naming the state."""
    try:
        return call.resources.callbacks.wait(
            pending, timeout_seconds=call.timeout_seconds, heartbeat_seconds=call.heartbeat_seconds,
            check=lane.check, settle=lane.run.settle_waits, **options,
        )
    except NoAnswerComing:
        lane.run.unanswered = pending
        lane.run.stop_request.stop()  # type: ignore[union-attr]
        raise Stopped() from None
