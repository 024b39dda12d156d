"""Task: hands its effective input to the resource's local handler and takes the reply as its result.

The history follows the resource kind, as on AWS: a plain Lambda function ARN gives
LambdaFunctionScheduled / Started / Succeeded (Failed, TimedOut); a service integration such as
``arn:aws:states:::lambda:invoke`` gives TaskScheduled / TaskStarted / TaskSucceeded (TaskFailed,
TaskTimedOut). Resolving the ARN to a handler, calling it and enforcing TimeoutSeconds /
HeartbeatSeconds is the resource registry's job. A ``.waitForTaskToken`` or activity task waits for
its answer from outside (``states/callback.py``); each attempt of such a task gets a fresh task token
in ``$$.Task.Token``.
"""
from __future__ import annotations

from typing import Any

from stepflow.asl.errors import HEARTBEAT_TIMEOUT, RUNTIME, TIMEOUT, ASLError, StepflowError
from stepflow.asl.paths import PathNotFound, StateDataError
from stepflow.engine.dataflow import Reader, payload_json
from stepflow.engine.history import EventType, service_resource_parts
from stepflow.engine.states.base import CompiledState, Lane
from stepflow.engine.states.callback import WAIT_FOR_TASK_TOKEN, wait_for_answer
from stepflow.resources.callbacks import new_task_token
from stepflow.engine.trace import StepRecord

_TIMEOUTS = (TIMEOUT, HEARTBEAT_TIMEOUT)
_SERVICE_PREFIX = "arn:aws:states:::"


class TaskState(CompiledState):
    def __init__(
        self,
        *args: Any,
        resource: str,
        timeout: int | Reader | None = None,
        heartbeat: int | Reader | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.resource = resource
        self.timeout = timeout
        self.heartbeat = heartbeat

    def execute(self, state_input: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        if self.resource.endswith(WAIT_FOR_TASK_TOKEN):
            context = {**context, "Task": {"Token": new_task_token()}}
        return super().execute(state_input, context, record, lane)

    def work(self, data: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        run = lane.run
        history = run.history
        timeout = _seconds(self.timeout, record.input, context, "TimeoutSecondsPath")
        heartbeat = _seconds(self.heartbeat, record.input, context, "HeartbeatSecondsPath")
        try:
            target = run.registry.resolve(self.resource, data, self.name)
        except StepflowError as unsupported:
            raise ASLError(RUNTIME, str(unsupported)) from None
        if target.kind in ("callback", "activity"):
            return wait_for_answer(self.name, target, data, context, lane, timeout, heartbeat)
        # Service integrations (arn:aws:states:::...) write Task* events, functions LambdaFunction*.
        is_lambda = not (target.kind == "integration" and self.resource.startswith(_SERVICE_PREFIX))
        if is_lambda:
            lane.follow(history.lambda_function_scheduled(self.resource, data, timeout, lane.last_event_id))
            lane.follow(history.lambda_function_started(lane.last_event_id))
        else:
            lane.follow(
                history.task_scheduled(
                    self.resource,
                    data,
                    timeout_in_seconds=timeout,
                    heartbeat_in_seconds=heartbeat,
                    previous_event_id=lane.last_event_id,
                )
            )
            lane.follow(history.task_started(self.resource, lane.last_event_id))
        try:
            # Inside a Parallel/Map a failing sibling aborts this task at once (AWS), so the
            # handler is waited for on the side; elsewhere it is called directly (cheaper).
            result = run.registry.invoke(
                self.resource, data, state_name=self.name, timeout_seconds=timeout, heartbeat_seconds=heartbeat,
                clock=run.clock, **({"stop": lane.stop} if lane.scope else {}),
            )
            # AWS's cause names the resource: the function ARN, or the integration's service ('lambda').
            payload_json(result, self.resource if is_lambda else service_resource_parts(self.resource)[0])
        except ASLError as error:
            self._failed(error, lane, is_lambda)
            raise
        if is_lambda:
            lane.follow(history.lambda_function_succeeded(result, lane.last_event_id))
        else:
            lane.follow(history.task_succeeded(self.resource, result, lane.last_event_id))
        return result

    def _failed(self, error: ASLError, lane: Lane, is_lambda: bool) -> None:
        history = lane.run.history
        timed_out = error.error in _TIMEOUTS
        if is_lambda:
            kind = EventType.LambdaFunctionTimedOut if timed_out else EventType.LambdaFunctionFailed
            lane.follow(
                history.lambda_function_ended_in_error(kind, error.error, error.cause, lane.last_event_id)
            )
        else:
            kind = EventType.TaskTimedOut if timed_out else EventType.TaskFailed
            lane.follow(
                history.task_ended_in_error(kind, self.resource, error.error, error.cause, lane.last_event_id)
            )


def _seconds(value: int | Reader | None, data: Any, context: dict, field: str) -> int | None:
    """TimeoutSeconds / HeartbeatSeconds, read at run time (``...Path``, or JSONata) when given so."""
    if value is None or isinstance(value, int):
        return value
    try:
        seconds = value.find(data, context)
    except PathNotFound as missing:
        raise StateDataError(f"{field}: {missing}") from None
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 1:
        raise StateDataError(f"{field} must select a positive integer, got {seconds!r}")
    return seconds
