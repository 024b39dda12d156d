"""Step Functions tasks: nested executions and task-token answers.

- ``arn:aws:states:::states:startExecution`` starts a state machine registered in
  ``Resources.state_machines`` (by ARN) and answers ``{ExecutionArn, StartDate}``; ``.sync`` waits
  for it and answers its DescribeExecution with ``Input``/``Output`` as JSON text, ``.sync:2`` the
  same with them parsed; ``.waitForTaskToken`` starts it and waits for the token's answer. A child
  that does not succeed fails the task with ``States.TaskFailed`` and the DescribeExecution (with
  its Error and Cause) as the cause. Stopping the parent stops a child it waits for.
- ``arn:aws:states:::aws-sdk:sfn:sendTaskSuccess|sendTaskFailure|sendTaskHeartbeat`` answer a
  waiting task through the machine's callbacks hub, so a child can answer its parent.
Evidence: LocalStack's AWS-validated recordings tests/aws/services/stepfunctions/v2/callback/
test_callback.snapshot.json (test_start_execution_sync, _sync2, _sync_delegate_failure,
_sync_delegate_timeout: TaskSubmitted with the start response, then TaskSucceeded/TaskFailed) and
.../services/test_sfn_task_service.snapshot.json (test_start_execution_no_such_arn).
"""
from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any, Callable

from stepflow.api.errors import InvalidToken, TaskDoesNotExist, TaskTimedOut
from stepflow.asl.errors import TIMEOUT, ASLError
from stepflow.integrations.aws_service import parameters_of, with_http_metadata
from stepflow.integrations.base import Integration, Pattern, TaskCall, task_names
from stepflow.runtime.signals import Stopped, StopRequest

START_EXECUTION = "arn:aws:states:::states:startExecution"
SEND_TASK = tuple(
    f"arn:aws:states:::aws-sdk:sfn:{action}" for action in ("sendTaskSuccess", "sendTaskFailure", "sendTaskHeartbeat")
)
_POLL_SECONDS = 0.01
_CONTENT_TYPE = "application/x-amz-json-1.0"


def _millis(moment: datetime | None) -> int | None:
    """Dates in these results are epoch milliseconds, as the AWS SDK for Java writes them."""
    return None if moment is None else int(moment.timestamp() * 1000)


def _sfn_error(code: str, message: str) -> ASLError:
    return ASLError(
        f"StepFunctions.{code}Exception",
        f"{message} (Service: AWSStepFunctions; Status Code: 400; Error Code: {code}; "
        f"Request ID: {uuid.uuid4()}; Proxy: null)",
    )


class _Child:
    """One started child execution, running on its own thread."""

    def __init__(self, machine: Any, child_input: Any, name: str, call: TaskCall) -> None:
        self.machine, self.input, self.name = machine, child_input, name
        self.arn = f"{machine.arn.replace(':stateMachine:', ':execution:')}:{name}"
        self.stop = StopRequest()
        self.started = call.clock.now()
        self.execution: Any = None
        self.done = threading.Event()
        threading.Thread(target=self._run, args=(call,), name=f"stepflow-child-{name}", daemon=True).start()

    def _run(self, call: TaskCall) -> None:
        try:
            self.execution = self.machine.run(self.input, name=self.name, clock=call.clock, stop=self.stop)
        finally:
            self.done.set()

    def wait(self, call: TaskCall) -> Any:
        """The finished child; Stopped (the child stopped too) when the parent's lane stops,
        States.Timeout when the task's TimeoutSeconds pass first on the execution's clock."""
        deadline = (self.started + timedelta(seconds=call.timeout_seconds)
                    if call.timeout_seconds is not None else None)
        while not self.done.wait(_POLL_SECONDS):
            if call.stop is not None and call.stop.is_set():
                self.stop.stop()
                self.done.wait()
                raise Stopped()
            if deadline is not None and call.clock.now() >= deadline:
                raise ASLError(TIMEOUT)
        # On a virtual clock a long child ends at once: its stop date says whether it was too late.
        if deadline is not None and self.execution.stop_date > deadline:
            raise ASLError(TIMEOUT)
        return self.execution

    def started_response(self) -> dict[str, Any]:
        return {"ExecutionArn": self.arn, "StartDate": _millis(self.started)}


def describe(execution: Any, parsed: bool) -> dict[str, Any]:
    """DescribeExecution of a finished child, as ``.sync`` (text) or ``.sync:2`` (parsed) shows it."""

    def shown(value: Any) -> Any:
        return value if parsed else json.dumps(value, separators=(",", ":"))

    described: dict[str, Any] = {}
    if execution.cause is not None:
        described["Cause"] = execution.cause
    if execution.error is not None:
        described["Error"] = execution.error
    described.update({
        "ExecutionArn": execution.execution_arn,
        "Input": shown(execution.input), "InputDetails": {"Included": True},
        "Name": execution.name,
    })
    if execution.status == "SUCCEEDED":
        described.update({"Output": shown(execution.output), "OutputDetails": {"Included": True}})
    described.update({
        "StartDate": _millis(execution.start_date), "StateMachineArn": execution.state_machine_arn,
        "Status": execution.status, "StopDate": _millis(execution.stop_date),
    })
    return described


class StartExecution(Integration):
    patterns = frozenset({"sync", "sync:2", "waitForTaskToken"})

    def _start(self, call: TaskCall) -> _Child:
        request = parameters_of(call.parameters, call.state_name, self.resource)
        arn = request.get("StateMachineArn")
        machine = call.resources.state_machines.get(arn) if isinstance(arn, str) else None
        if machine is None:
            raise _sfn_error("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        child_input = request.get("Input")
        if isinstance(child_input, str):
            try:
                child_input = json.loads(child_input)
            except json.JSONDecodeError as error:
                raise _sfn_error("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{error}'") from None
        name = request.get("Name") or str(uuid.uuid4())
        return _Child(machine, {} if child_input is None else child_input, name, call)

    def invoke(self, call: TaskCall) -> Any:
        child = self._start(call)
        return with_http_metadata(child.started_response(), call.clock.now(), _CONTENT_TYPE)

    def run_sync(self, call: TaskCall, pattern: Pattern, submitted: Callable[[Any], None]) -> Any:
        child = self._start(call)
        submitted(with_http_metadata(child.started_response(), call.clock.now(), _CONTENT_TYPE))
        execution = child.wait(call)
        described = describe(execution, parsed=pattern == "sync:2")
        if execution.status != "SUCCEEDED":
            raise ASLError("States.TaskFailed", json.dumps(described, separators=(",", ":")))
        return described


class SendTask(Integration):
    """SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat through the SDK integration."""

    def __init__(self, resource: str) -> None:
        super().__init__(resource)
        self.action = task_names(resource)[1]

    def invoke(self, call: TaskCall) -> Any:
        request = parameters_of(call.parameters, call.state_name, self.resource)
        token = request.get("TaskToken")
        try:
            hub = _hub_waiting_for(token, call)
            if self.action == "sendTaskSuccess":
                output = request.get("Output")
                hub.send_success(token, json.loads(output) if isinstance(output, str) else output)
            elif self.action == "sendTaskFailure":
                hub.send_failure(token, request.get("Error"), request.get("Cause"))
            else:
                hub.send_heartbeat(token)
        except (InvalidToken, TaskDoesNotExist, TaskTimedOut) as error:
            code = type(error).__name__
            raise ASLError(
                f"Sfn.{code}Exception", f"{error} (Service: Sfn, Status Code: 400, Request ID: {uuid.uuid4()})"
            ) from None
        except json.JSONDecodeError as error:
            raise ASLError(
                "Sfn.InvalidOutputException",
                f"Invalid Output: '{error}' (Service: Sfn, Status Code: 400, Request ID: {uuid.uuid4()})",
            ) from None
        return {}


def _hub_waiting_for(token: Any, call: TaskCall) -> Any:
    """The callbacks hub holding ``token``: this machine's, or that of a machine it can start
    (a child answering its parent); this machine's when none knows it (which then says so)."""
    hubs = [call.resources.callbacks]
    for machine in call.resources.state_machines.values():
        if all(machine.resources.callbacks is not hub for hub in hubs):
            hubs.append(machine.resources.callbacks)
    return next((hub for hub in hubs if hub.knows(token)), hubs[0])
