"""A Step Functions API client that runs everything locally: boto3's ``stepfunctions`` client shape.

Operation names, parameter names (``stateMachineArn``, ``input``, ``name``...), response shapes and
errors (``client.exceptions.ExecutionDoesNotExist``...) are those of the Step Functions API
reference, so code written against ``boto3.client("stepfunctions")`` runs against
``stepflow.client.Client(resources=...)`` by swapping the client object.

As on AWS, StartExecution returns at once and the execution runs on (here) a background thread;
inputs and outputs are JSON *strings*, timestamps timezone-aware datetimes. As with Step Functions
Local, ``stateMachineArn#TestCase`` starts an execution with that test case's mocked responses
(``mock_config``, default the file named by ``SFN_MOCK_CONFIG``). ``get_paginator`` pages the
listing operations as boto3 does. Two helpers go beyond the API for tests: ``wait_for_execution``
and ``callbacks`` (the task tokens waiting for an answer).
"""
from __future__ import annotations

import json
import re
import threading
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Callable, Mapping, TypeVar

from stepflow import api_errors, api_shapes
from stepflow.api_errors import (
    ActivityDoesNotExist,
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    InvalidArn,
    InvalidDefinition,
    InvalidExecutionInput,
    InvalidName,
    InvalidOutput,
    StateMachineAlreadyExists,
    StateMachineDoesNotExist,
    StateMachineTypeNotSupported,
    ValidationException,
)
from stepflow.asl.errors import DefinitionError, Diagnostic
from stepflow.asl.json_values import MAX_INPUT_LENGTH, InvalidJsonValue, check_json_value, loads
from stepflow.asl.loader import load_definition
from stepflow.asl.paths import to_json
from stepflow.asl.validate import validate_definition
from stepflow.runtime.clock import Clock, VirtualClock
from stepflow.engine.execution import Execution, StopRequest
from stepflow.engine.history import History
from stepflow.integrations.callbacks import CallbackHub
from stepflow.machine import StateMachine
from stepflow.map_run_api import MapRunApi
from stepflow.runtime.arns import DEFAULT_ACCOUNT, DEFAULT_REGION, check_name, execution_arn
from stepflow.runtime.arns import InvalidName as EngineInvalidName
from stepflow.testing.mocks import MockConfig, MockedResources
from stepflow.testing.test_state import test_state as run_test_state

STATE_MACHINE_TYPES = ("STANDARD", "EXPRESS")
DEFAULT_ROLE = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/stepflow-local-execution-role"
_DETAIL_DATA_FIELDS = ("input", "inputDetails", "output", "outputDetails", "parameters")
_Entry = TypeVar("_Entry")


@dataclass(eq=False)
class _StateMachineEntry:
    machine: StateMachine
    definition: str
    role_arn: str
    type: str
    created: datetime


@dataclass(eq=False)
class _ExecutionEntry:
    arn: str
    name: str
    state_machine: _StateMachineEntry
    input: str
    history: History
    stop: StopRequest
    future: Future[Execution] = field(default_factory=Future)

    @property
    def start_date(self) -> datetime:
        return self.history.events[0]["timestamp"]

    def execution(self) -> Execution:
        """The ended execution, or while it runs one that says RUNNING (what Describe/List show)."""
        if self.future.done():
            return self.future.result()
        machine = self.state_machine.machine
        return Execution(
            execution_arn=self.arn, name=self.name, state_machine_arn=machine.arn, input=json.loads(self.input),
            definition=machine.definition, start_date=self.start_date, history=self.history.events,
        )


class Client:
    """Local stand-in for ``boto3.client("stepfunctions")``.

    ``resources`` maps a Task Resource ARN to a Lambda-style handler, ``substitutions`` fills
    ``${Name}`` placeholders, for every state machine created here. ``clock`` (default: one shared
    VirtualClock, so Waits and retries cost no time) is the time of every execution.
    ``activity_poll_seconds`` is how long GetActivityTask waits for a task (AWS: 60 s).
    """

    exceptions = SimpleNamespace(**api_errors.ERRORS)

    def __init__(
        self,
        *,
        resources: Mapping[str, Callable[..., Any]] | None = None,
        substitutions: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        mock_config: MockConfig | str | None = None,
        store: Any = None,
        activity_poll_seconds: float = 60.0,
    ) -> None:
        self.resources = dict(resources or {})
        self.substitutions = dict(substitutions or {})
        self.clock = clock or VirtualClock()
        self.callbacks = CallbackHub()
        self.store = store
        self.activity_poll_seconds = activity_poll_seconds
        self.mock_config = mock_config
        self._machines: dict[str, _StateMachineEntry] = {}
        self._executions: dict[str, _ExecutionEntry] = {}
        self._activities: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.map_runs = MapRunApi()

    # --- state machines ---------------------------------------------------------------------------

    def create_state_machine(
        self, *, name: str, definition: str, roleArn: str = DEFAULT_ROLE, type: str = "STANDARD", **_: Any
    ) -> dict[str, Any]:
        if type not in STATE_MACHINE_TYPES:
            raise ValidationException(f"Value '{type}' at 'type' failed to satisfy constraint", "CreateStateMachine")
        machine = self._compile(name, definition, "CreateStateMachine")
        with self._lock:
            existing = self._machines.get(machine.arn)
            if existing is not None:
                if (existing.definition, existing.role_arn, existing.type) != (definition, roleArn, type):
                    raise StateMachineAlreadyExists(
                        f"State Machine Already Exists: '{machine.arn}'", "CreateStateMachine"
                    )
                return {"stateMachineArn": machine.arn, "creationDate": existing.created}
            entry = _StateMachineEntry(machine, definition, roleArn, type, self.clock.now())
            self._machines[machine.arn] = entry
        return {"stateMachineArn": machine.arn, "creationDate": entry.created}

    def describe_state_machine(self, *, stateMachineArn: str, **_: Any) -> dict[str, Any]:
        entry = self._machine(stateMachineArn, "DescribeStateMachine")
        return {
            "stateMachineArn": entry.machine.arn,
            "name": entry.machine.name,
            "status": "ACTIVE",
            "definition": entry.definition,
            "roleArn": entry.role_arn,
            "type": entry.type,
            "creationDate": entry.created,
            "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
        }

    def describe_state_machine_for_execution(self, *, executionArn: str, **_: Any) -> dict[str, Any]:
        entry = self._execution(executionArn, "DescribeStateMachineForExecution").state_machine
        described = self.describe_state_machine(stateMachineArn=entry.machine.arn)
        kept = ("stateMachineArn", "name", "definition", "roleArn", "loggingConfiguration")
        return {k: described[k] for k in kept} | {"updateDate": entry.created}

    def list_state_machines(self, **_: Any) -> dict[str, Any]:
        with self._lock:
            entries = sorted(self._machines.values(), key=lambda e: e.machine.name)
        return {
            "stateMachines": [
                {"stateMachineArn": e.machine.arn, "name": e.machine.name, "type": e.type, "creationDate": e.created}
                for e in entries
            ]
        }

    def update_state_machine(
        self, *, stateMachineArn: str, definition: str | None = None, roleArn: str | None = None, **_: Any
    ) -> dict[str, Any]:
        entry = self._machine(stateMachineArn, "UpdateStateMachine")
        if definition is not None:
            entry.machine = self._compile(entry.machine.name, definition, "UpdateStateMachine")
            entry.definition = definition
        if roleArn is not None:
            entry.role_arn = roleArn
        return {"updateDate": self.clock.now()}

    def delete_state_machine(self, *, stateMachineArn: str, **_: Any) -> dict[str, Any]:
        with self._lock:
            self._machines.pop(stateMachineArn, None)
        return {}

    def validate_state_machine_definition(
        self, *, definition: str, type: str = "STANDARD", severity: str = "ERROR", maxResults: int = 100, **_: Any
    ) -> dict[str, Any]:
        """Every problem with AWS's codes and JSON-pointer locations. As on AWS, ``severity`` is the
        lowest level reported (ERROR by default; WARNING adds warnings)."""
        from stepflow.cli.validate import response  # the CLI's JSON output is this response

        try:
            diagnostics = validate_definition(load_definition(definition))
        except DefinitionError as invalid:
            diagnostics = invalid.diagnostics
        if severity == "ERROR":
            diagnostics = [d for d in diagnostics if d.severity == "ERROR"]
        shaped = response(diagnostics[:maxResults])
        shaped["truncated"] = len(diagnostics) > maxResults
        return shaped

    # --- executions -------------------------------------------------------------------------------

    def start_execution(
        self, *, stateMachineArn: str, name: str | None = None, input: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """Start an execution on a background thread; ``stateMachineArn#TestCase`` mocks its tasks."""
        arn, _, test_case = stateMachineArn.partition("#")
        entry = self._machine(arn, "StartExecution")
        input_text, value = self._input(input, "StartExecution")
        name = self._name(name or str(uuid.uuid4()), "StartExecution")
        arn_of_run = execution_arn(entry.machine.name, name)
        resources = None
        if test_case:
            config = self.mock_config if isinstance(self.mock_config, MockConfig) else MockConfig.load(self.mock_config)
            resources = MockedResources(entry.machine.resources, config.test_case(entry.machine.name, test_case))
        with self._lock:
            existing = self._executions.get(arn_of_run)
            if existing is not None:
                if existing.input == input_text and not existing.future.done():
                    return {"executionArn": arn_of_run, "startDate": existing.start_date}
                raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn_of_run}'", "StartExecution")
            run = _ExecutionEntry(arn_of_run, name, entry, input_text, History(self.clock), StopRequest())
            self._executions[arn_of_run] = run
        threading.Thread(target=self._run, args=(run, value, resources), name=f"stepflow-{name}", daemon=True).start()
        while not run.history.last_event_id and not run.future.done():
            time.sleep(0.0005)  # ExecutionStarted is the run's first act
        if run.future.done() and run.future.exception() is not None:
            raise run.future.exception()  # type: ignore[misc]
        return {"executionArn": arn_of_run, "startDate": run.start_date}

    def start_sync_execution(
        self, *, stateMachineArn: str, name: str | None = None, input: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """Run an EXPRESS state machine to its end and return the whole result, as AWS does."""
        entry = self._machine(stateMachineArn.partition("#")[0], "StartSyncExecution")
        if entry.type != "EXPRESS":
            raise StateMachineTypeNotSupported(
                "This operation is not supported by this type of state machine", "StartSyncExecution"
            )
        input_text, value = self._input(input, "StartSyncExecution")
        name = self._name(name or str(uuid.uuid4()), "StartSyncExecution")
        execution = entry.machine.run(value, name=name, clock=self.clock)
        billing = {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": _billed_milliseconds(execution)}
        return (
            api_shapes.execution_fields(execution)
            | {"input": input_text, "inputDetails": {"included": True}, "billingDetails": billing}
            | api_shapes.outcome(execution)
        )

    def describe_execution(self, *, executionArn: str, **_: Any) -> dict[str, Any]:
        run = self._execution(executionArn, "DescribeExecution")
        return api_shapes.describe_execution(run.execution(), input_text=run.input)

    def get_execution_history(
        self,
        *,
        executionArn: str,
        maxResults: int = 1000,
        reverseOrder: bool = False,
        nextToken: str | None = None,
        includeExecutionData: bool = True,
        **_: Any,
    ) -> dict[str, Any]:
        run = self._execution(executionArn, "GetExecutionHistory")
        events = run.history.events
        if reverseOrder:
            events.reverse()
        if not includeExecutionData:
            events = [_without_data(event) for event in events]
        start = int(nextToken or 0)
        page = events[start : start + (maxResults or 1000)]
        response: dict[str, Any] = {"events": page}
        if start + len(page) < len(events):
            response["nextToken"] = str(start + len(page))
        return response

    def list_executions(
        self,
        *,
        stateMachineArn: str = "",
        statusFilter: str | None = None,
        maxResults: int = 100,
        nextToken: str | None = None,
        mapRunArn: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        if mapRunArn is not None:  # a Map Run's child executions
            return self.map_runs.list_children(
                mapRunArn=mapRunArn, statusFilter=statusFilter, maxResults=maxResults, nextToken=nextToken
            )
        entry = self._machine(stateMachineArn, "ListExecutions")
        if statusFilter is not None and statusFilter not in api_shapes.EXECUTION_STATUSES:
            raise ValidationException(
                f"Value '{statusFilter}' at 'statusFilter' failed to satisfy constraint", "ListExecutions"
            )
        with self._lock:
            runs = [r for r in self._executions.values() if r.state_machine is entry]
        executions = (run.execution() for run in reversed(runs))  # newest first
        listed = [api_shapes.list_item(e) for e in executions if statusFilter in (None, e.status)]
        start = int(nextToken or 0)
        response: dict[str, Any] = {"executions": listed[start : start + (maxResults or 100)]}
        if start + (maxResults or 100) < len(listed):
            response["nextToken"] = str(start + (maxResults or 100))
        return response

    def stop_execution(
        self, *, executionArn: str, error: str | None = None, cause: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """Abort a running execution (its lanes stop at their next state boundary or callback wait)."""
        run = self._execution(executionArn, "StopExecution")
        run.stop.stop(error, cause)
        execution = run.future.result()
        return {"stopDate": execution.stop_date}

    def describe_map_run(self, **request: Any) -> dict[str, Any]:
        return self.map_runs.describe_map_run(**request)

    def list_map_runs(self, **request: Any) -> dict[str, Any]:
        self._execution(request.get("executionArn", ""), "ListMapRuns")
        return self.map_runs.list_map_runs(**request)

    def update_map_run(self, **request: Any) -> dict[str, Any]:
        return self.map_runs.update_map_run(**request)

    def wait_for_execution(self, executionArn: str, timeout: float = 30.0) -> dict[str, Any]:
        """stepflow only: wait (real seconds) until the execution ends, then DescribeExecution."""
        run = self._execution(executionArn, "DescribeExecution")
        run.future.result(timeout)
        return self.describe_execution(executionArn=executionArn)

    # --- callbacks and activities -----------------------------------------------------------------

    def send_task_success(self, *, taskToken: str, output: str, **_: Any) -> dict[str, Any]:
        try:
            value = json.loads(output)
        except (TypeError, json.JSONDecodeError) as error:
            raise InvalidOutput(f"Invalid Output: '{error}'", "SendTaskSuccess") from None
        self._tokens("SendTaskSuccess", lambda: self.callbacks.send_success(taskToken, value))
        return {}

    def send_task_failure(
        self, *, taskToken: str, error: str | None = None, cause: str | None = None, **_: Any
    ) -> dict[str, Any]:
        self._tokens("SendTaskFailure", lambda: self.callbacks.send_failure(taskToken, error, cause))
        return {}

    def send_task_heartbeat(self, *, taskToken: str, **_: Any) -> dict[str, Any]:
        self._tokens("SendTaskHeartbeat", lambda: self.callbacks.send_heartbeat(taskToken))
        return {}

    def create_activity(self, *, name: str, **_: Any) -> dict[str, Any]:
        name = self._name(name, "CreateActivity", "activity")
        arn = f"arn:aws:states:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:activity:{name}"
        with self._lock:
            activity = self._activities.setdefault(
                arn, {"activityArn": arn, "name": name, "creationDate": self.clock.now()}
            )
        self.callbacks.create_activity(arn)
        return {"activityArn": arn, "creationDate": activity["creationDate"]}

    def describe_activity(self, *, activityArn: str, **_: Any) -> dict[str, Any]:
        return dict(self._activity(activityArn, "DescribeActivity"))

    def list_activities(self, **_: Any) -> dict[str, Any]:
        with self._lock:
            return {"activities": [dict(a) for a in self._activities.values()]}

    def delete_activity(self, *, activityArn: str, **_: Any) -> dict[str, Any]:
        with self._lock:
            self._activities.pop(activityArn, None)
        self.callbacks.delete_activity(activityArn)
        return {}

    def get_activity_task(self, *, activityArn: str, workerName: str | None = None, **_: Any) -> dict[str, Any]:
        """The next task of the activity, waiting up to ``activity_poll_seconds``; ``{}`` when none came."""
        self._activity(activityArn, "GetActivityTask")
        task = self.callbacks.take_activity_task(activityArn, workerName, self.activity_poll_seconds)
        if task is None:
            return {}
        return {"taskToken": task.token, "input": to_json(task.input)}

    # --- single states ----------------------------------------------------------------------------

    def test_state(
        self,
        *,
        definition: str,
        roleArn: str | None = None,
        input: str | None = None,
        inspectionLevel: str = "INFO",
        revealSecrets: bool = False,
        variables: str | None = None,
        stateName: str | None = None,
        mock: Mapping[str, Any] | None = None,
        context: str | None = None,
        stateConfiguration: Mapping[str, Any] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        return run_test_state(
            definition, input, state_name=stateName, inspection_level=inspectionLevel, mock=mock,
            variables=variables, context=context, state_configuration=stateConfiguration,
            resources=self.resources, substitutions=self.substitutions,
        )

    test_state.__test__ = False  # type: ignore[attr-defined]

    def get_paginator(self, operation_name: str) -> Paginator:
        """boto3's paginators for the listing operations (``paginate(**params)`` yields pages)."""
        if operation_name not in _PAGINATED:
            raise ValueError(f"Operation cannot be paginated: {operation_name}")
        return Paginator(getattr(self, operation_name), _PAGINATED[operation_name])

    def close(self) -> None:
        """Stop every running execution and release the worker threads."""
        with self._lock:
            runs = list(self._executions.values())
        for run in runs:
            run.stop.stop()
        for run in runs:
            run.future.exception()  # waits for the run to end

    # --- internals --------------------------------------------------------------------------------

    def _run(self, run: _ExecutionEntry, value: Any, resources: MockedResources | None) -> None:
        """The execution's own thread: a callback task may wait for hours, so none shares a pool."""
        try:
            execution = run.state_machine.machine.run(
                value, name=run.name, clock=self.clock, resources=resources, stop=run.stop, history=run.history
            )
            if self.store is not None:
                self.store.save(execution)
        except BaseException as crash:  # a bug, not an execution failure: surface it to the caller
            run.future.set_exception(crash)
            return
        run.future.set_result(execution)

    def _compile(self, name: str, definition: str, operation: str) -> StateMachine:
        self._name(name, operation, "state machine")
        if not isinstance(definition, str) or not definition.lstrip().startswith("{"):
            raise InvalidDefinition("Invalid State Machine Definition: 'the definition must be JSON text'", operation)
        try:
            machine = StateMachine(
                definition, resources=self.resources, substitutions=self.substitutions, name=name,
                clock=self.clock, callbacks=self.callbacks,
            )
            machine.map_runs.on_map_run = self.map_runs.track
            return machine
        except DefinitionError as invalid:
            raise InvalidDefinition(_definition_message(invalid.diagnostics), operation) from None

    def _machine(self, arn: str, operation: str) -> _StateMachineEntry:
        return self._find(self._machines, arn, operation, StateMachineDoesNotExist, "stateMachine")

    def _execution(self, arn: str, operation: str) -> _ExecutionEntry:
        return self._find(self._executions, arn, operation, ExecutionDoesNotExist, "execution")

    def _activity(self, arn: str, operation: str) -> dict[str, Any]:
        return self._find(self._activities, arn, operation, ActivityDoesNotExist)

    def _find(
        self,
        table: dict[str, _Entry],
        arn: str,
        operation: str,
        missing: type[api_errors.ClientError],
        resource_type: str | None = None,
    ) -> _Entry:
        """The entry ``arn`` names; InvalidArn when it names another ``resource_type``, else ``missing``
        (whose message is its name in words: "State Machine Does Not Exist: 'arn:...'", as AWS says)."""
        if resource_type is not None and (not arn.startswith("arn:") or f":{resource_type}:" not in arn):
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'", operation)
        with self._lock:
            entry = table.get(arn)
        if entry is None:
            raise missing(f"{re.sub(r'(?<=[a-z])(?=[A-Z])', ' ', missing.__name__)}: '{arn}'", operation)
        return entry

    @staticmethod
    def _input(text: str | None, operation: str) -> tuple[str, Any]:
        text = "{}" if text is None else text
        if isinstance(text, str) and len(text) > MAX_INPUT_LENGTH:  # the API's length constraint
            raise ValidationException(
                "1 validation error detected: Value at 'input' failed to satisfy constraint: "
                f"Member must have length less than or equal to {MAX_INPUT_LENGTH}", operation)
        try:
            value = loads(text)
            check_json_value(value)
        except (TypeError, ValueError, InvalidJsonValue) as error:
            raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{error}'", operation) from None
        return text, value

    @staticmethod
    def _name(name: str, operation: str, what: str = "execution") -> str:
        try:
            return check_name(name, what)
        except EngineInvalidName as invalid:
            raise InvalidName(str(invalid), operation) from None

    @staticmethod
    def _tokens(operation: str, send: Callable[[], None]) -> None:
        """Run a SendTask* call; the hub's refusal is re-raised naming the API operation."""
        try:
            send()
        except api_errors.ClientError as refused:
            raise type(refused)(refused.response["Error"]["Message"], operation) from None


# Paginated operation -> the list its pages hold (botocore's paginator model for Step Functions).
_PAGINATED = {
    "get_execution_history": "events",
    "list_executions": "executions",
    "list_state_machines": "stateMachines",
    "list_activities": "activities",
}


class Paginator:
    """Pages of one listing operation, following ``nextToken`` as boto3's paginators do."""

    def __init__(self, operation: Callable[..., dict[str, Any]], result_key: str) -> None:
        self.operation, self.result_key = operation, result_key

    def paginate(self, **params: Any) -> PageIterator:
        return PageIterator(self.operation, self.result_key, params)


class PageIterator:
    def __init__(self, operation: Callable[..., dict[str, Any]], result_key: str, params: dict[str, Any]) -> None:
        self.operation, self.result_key = operation, result_key
        config = params.pop("PaginationConfig", {}) or {}
        self.params = params | ({"maxResults": config["PageSize"]} if "PageSize" in config else {})

    def __iter__(self) -> Any:
        token = None
        while True:
            page = self.operation(**self.params, **({"nextToken": token} if token else {}))
            yield page
            token = page.get("nextToken")
            if not token:
                return

    def build_full_result(self) -> dict[str, Any]:
        """Every page's items in one response, as boto3's ``build_full_result`` gives them."""
        return {self.result_key: [item for page in self for item in page[self.result_key]]}


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    """An event without its input/output payloads, as includeExecutionData=False returns it."""
    return {
        key: {k: v for k, v in value.items() if k not in _DETAIL_DATA_FIELDS} if key.endswith("EventDetails") else value
        for key, value in event.items()
    }


def _billed_milliseconds(execution: Execution) -> int:
    """Express workflows bill per 100 ms, at least 100 ms."""
    elapsed = (execution.stop_date - execution.start_date).total_seconds() * 1000  # type: ignore[operator]
    return max(100, int(-(-elapsed // 100) * 100))


def _definition_message(diagnostics: list[Diagnostic]) -> str:
    problems = "; ".join(f"{d.code}: {d.message} at {d.location or '/'}" for d in diagnostics)
    return f"Invalid State Machine Definition: '{problems}'"
