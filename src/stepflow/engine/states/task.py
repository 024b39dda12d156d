"""Task: hands its effective input to the integration its Resource is bound to, and takes the reply
as its result.

The Resource was resolved once, at compile time, to a ``Binding`` (``integrations/table.py``). The
history follows the integration's event style, as on AWS: a Lambda function ARN gives
LambdaFunctionScheduled / Started / Succeeded (Failed, TimedOut); a service integration such as
``arn:aws:states:::lambda:invoke`` gives TaskScheduled / TaskStarted / TaskSucceeded (TaskFailed,
TaskTimedOut) naming its resourceType and resource. A ``.waitForTaskToken`` or activity task waits
for its answer from outside (``states/callback.py``); each attempt of such a task gets a fresh task
token in ``$$.Task.Token``. A stand-in for one run (a mocked response) answers through
``Resources.override`` and keeps the events of the Resource's kind.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

from stepflow.asl.errors import HEARTBEAT_TIMEOUT, TIMEOUT, ASLError
from stepflow.asl.paths import PathNotFound, StateDataError
from stepflow.engine.dataflow import Reader, payload_json
from stepflow.engine.history import EventType
from stepflow.engine.states.base import CompiledState, Lane
from stepflow.engine.states.callback import wait_for_activity, wait_for_callback
from stepflow.engine.trace import StepRecord
from stepflow.integrations.base import Binding, EventStyle, TaskCall, event_style
from stepflow.integrations.callbacks import new_task_token

_TIMEOUTS = (TIMEOUT, HEARTBEAT_TIMEOUT)


class TaskState(CompiledState):
    def __init__(
        self,
        *args: Any,
        binding: Binding,
        timeout: int | Reader | None = None,
        heartbeat: int | Reader | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.binding = binding
        self.resource = binding.resource
        self.timeout = timeout
        self.heartbeat = heartbeat

    def execute(self, state_input: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        if self.binding.pattern == "waitForTaskToken":
            context = {**context, "Task": {"Token": new_task_token()}}
        return super().execute(state_input, context, record, lane)

    def work(self, data: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        run = lane.run
        call = TaskCall(
            self.resource, data, self.name, run.resources, run.clock, context,
            timeout_seconds=_seconds(self.timeout, record.input, context, "TimeoutSecondsPath"),
            heartbeat_seconds=_seconds(self.heartbeat, record.input, context, "HeartbeatSecondsPath"),
            # Inside a Parallel/Map a failing sibling aborts this task at once (AWS), so the
            # handler is waited for on the side; elsewhere it is called directly (cheaper).
            stop=lane.stop if lane.scope else None,
        )
        binding = self.binding
        override = run.resources.override(self.name)
        if override is not None:
            return self._call(call, event_style(self.resource), lambda: override(data), lane)
        if binding.events == "activity":
            return wait_for_activity(call, lane)
        if binding.pattern == "waitForTaskToken":
            return wait_for_callback(binding, call, lane)
        if binding.pattern:
            # A .sync task watches the lane's stop signal wherever it runs, to stop what it started.
            call = dataclasses.replace(call, stop=lane.stop)

            def submitted(response: Any) -> None:
                lane.follow(run.history.task_submitted(binding.task_names, response, lane.last_event_id))

            return self._call(call, "task", lambda: binding.integration.run_sync(call, binding.pattern, submitted), lane)
        return self._call(call, binding.events, lambda: binding.integration.invoke(call), lane)

    def _call(self, call: TaskCall, events: EventStyle, work: Callable[[], Any], lane: Lane) -> Any:
        """Run ``work`` between the scheduled/started and the succeeded/failed events of ``events``."""
        history = lane.run.history
        if events == "lambda":
            lane.follow(
                history.lambda_function_scheduled(self.resource, call.parameters_json, call.timeout_seconds, lane.last_event_id)
            )
            lane.follow(history.lambda_function_started(lane.last_event_id))
        else:
            names = self.binding.task_names
            lane.follow(
                history.task_scheduled(
                    names, call.parameters_json, timeout_in_seconds=call.timeout_seconds,
                    heartbeat_in_seconds=call.heartbeat_seconds, previous_event_id=lane.last_event_id,
                )
            )
            lane.follow(history.task_started(names, lane.last_event_id))
        try:
            result = work()
            # AWS's cause names the resource: the function ARN, or the integration's service ('lambda').
            result_json = payload_json(result, self.resource if events == "lambda" else self.binding.task_names[0])
        except ASLError as error:
            self._failed(error, lane, events)
            raise
        if events == "lambda":
            lane.follow(history.lambda_function_succeeded(result_json, lane.last_event_id))
        else:
            lane.follow(history.task_succeeded(self.binding.task_names, result_json, lane.last_event_id))
        return result

    def _failed(self, error: ASLError, lane: Lane, events: EventStyle) -> None:
        history = lane.run.history
        timed_out = error.error in _TIMEOUTS
        if events == "lambda":
            kind = EventType.LambdaFunctionTimedOut if timed_out else EventType.LambdaFunctionFailed
            lane.follow(history.lambda_function_ended_in_error(kind, error.error, error.cause, lane.last_event_id))
        else:
            kind = EventType.TaskTimedOut if timed_out else EventType.TaskFailed
            lane.follow(
                history.task_ended_in_error(kind, self.binding.task_names, error.error, error.cause, lane.last_event_id)
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
