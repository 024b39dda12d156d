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

Every operation checks its parameters against botocore's Step Functions model first (with the
``aws`` extra installed), as boto3 does: a misspelt or missing parameter raises botocore's
``ParamValidationError``, a value AWS refuses a ``ValidationException``. ``handle`` is the same
operations as the HTTP server calls them.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import random
import re
import sys
import threading
import time
import uuid
from concurrent.futures import Future
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Callable, Mapping, TypeVar

from stepflow.api import errors as api_errors, shapes as api_shapes
from stepflow.api.errors import (
    ActivityDoesNotExist,
    ClientError,
    ConflictException,
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionNotRedrivable,
    InvalidArn,
    InvalidDefinition,
    InvalidExecutionInput,
    InvalidName,
    InvalidOutput,
    StateMachineAlreadyExists,
    StateMachineDoesNotExist,
    StateMachineTypeNotSupported,
    ResourceNotFound,
    TooManyTags,
    ValidationException,
)
from stepflow.api.map_runs import MapRunApi
from stepflow.api.pagination import PAGINATED, Paginator, page
from stepflow.api.persistence import ResourceStore
from stepflow.api.records import Alias, ExecutionEntry, StateMachineEntry, Version
from stepflow.api.redrive import end_interrupted, redrive_point
from stepflow.api.validation import check_client_request, check_service_request, service_model
from stepflow.asl.errors import DefinitionError, Diagnostic, StepflowError
from stepflow.asl.json_values import MAX_INPUT_LENGTH, InvalidJsonValue, check_json_value, loads
from stepflow.asl.loader import load_definition
from stepflow.asl.paths import to_json
from stepflow.asl.validate import validate_definition
from stepflow.engine.execution import Execution, Redrive, StopRequest
from stepflow.engine.history import History
from stepflow.integrations.callbacks import CallbackHub
from stepflow.machine import StateMachine
from stepflow.runtime.arns import DEFAULT_ACCOUNT, DEFAULT_REGION, check_name, execution_arn
from stepflow.runtime.arns import InvalidName as EngineInvalidName
from stepflow.runtime.clock import Clock, VirtualClock
from stepflow.testing.mocks import MockConfig, MockedResources
from stepflow.testing.test_state import test_state as run_test_state

STATE_MACHINE_TYPES = ("STANDARD", "EXPRESS")
_DETAIL_DATA_FIELDS = ("input", "inputDetails", "output", "outputDetails", "parameters")
_MAX_TAGS = 50  # AWS's quota of tags per resource
_Entry = TypeVar("_Entry")


def _operation(name: str) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    """Mark a method as the API operation ``name``: its keyword arguments are checked against the
    service model, as boto3 checks them, before it runs."""

    def wrap(method: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        @functools.wraps(method)
        def checked(self: Client, **params: Any) -> dict[str, Any]:
            check_client_request(name, params)
            return method(self, **params)

        checked.operation_name = name  # type: ignore[attr-defined]
        return checked

    return wrap


class Client:
    """Local stand-in for ``boto3.client("stepfunctions")``.

    ``resources`` maps a Task Resource ARN to a Lambda-style handler, ``substitutions`` fills
    ``${Name}`` placeholders, for every state machine created here. ``clock`` (default: one shared
    VirtualClock, so Waits and retries cost no time) is the time of every execution.
    ``activity_poll_seconds`` is how long GetActivityTask waits for a task (AWS: 60 s).
    ``store`` (an ``ExecutionStore``) receives every execution; with ``durable=True`` state machines,
    activities and executions are kept in the store's folder and found again by the next client
    there. ``recover=True`` (the server, which alone runs executions there) ends ABORTED the
    executions a previous server left RUNNING when it stopped.
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
        durable: bool = False,
        recover: bool = False,
        activity_poll_seconds: float = 60.0,
        rng: random.Random | None = None,
    ) -> None:
        self.resources = dict(resources or {})
        self.substitutions = dict(substitutions or {})
        self.clock = clock or VirtualClock()
        self.callbacks = CallbackHub()
        self.store = store
        self.activity_poll_seconds = activity_poll_seconds
        self.mock_config = mock_config
        self.rng = rng or random.Random()
        self._machines: dict[str, StateMachineEntry] = {}
        self._state_machines: dict[str, StateMachine] = {}  # what states:startExecution tasks can start
        self._executions: dict[str, ExecutionEntry] = {}
        self._activities: dict[str, dict[str, Any]] = {}
        self._lock = threading.RLock()
        self.map_runs = MapRunApi()
        self._kept = ResourceStore(store.path.parent) if durable and store is not None else None
        if self._kept is not None:
            self._restore(recover)

    def handle(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Run ``operation`` on a request body as the service receives it (the HTTP server's entry):
        the service's checks, members the model does not know ignored, then the operation."""
        method = _OPERATIONS.get(operation)
        check_service_request(operation, params)
        if method is None:
            raise ValidationException(f"stepflow does not implement {operation}", operation)
        model = service_model()
        members = model.operation_model(operation).input_shape.members if model is not None else params
        return method.__wrapped__(self, **{k: v for k, v in params.items() if k in members})  # type: ignore[attr-defined]

    # --- state machines ---------------------------------------------------------------------------

    @_operation("CreateStateMachine")
    def create_state_machine(
        self,
        *,
        name: str,
        definition: str,
        roleArn: str,
        type: str = "STANDARD",
        tags: list[dict[str, str]] | None = None,
        publish: bool = False,
        versionDescription: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        if type not in STATE_MACHINE_TYPES:
            raise ValidationException(f"Value '{type}' at 'type' failed to satisfy constraint", "CreateStateMachine")
        if versionDescription is not None and not publish:
            raise ValidationException(
                "Version description can only be set when publishing a version", "CreateStateMachine"
            )
        machine = self._compile(name, definition, "CreateStateMachine")
        with self._lock:
            entry = self._machines.get(machine.arn)
            if entry is not None:
                if (entry.definition, entry.role_arn, entry.type) != (definition, roleArn, type):
                    raise StateMachineAlreadyExists(
                        f"State Machine Already Exists: '{machine.arn}'", "CreateStateMachine"
                    )
            else:
                entry = StateMachineEntry(machine, definition, roleArn, type, self.clock.now())
                entry.tags = _tag_dict(tags or [], "CreateStateMachine")
                self._machines[machine.arn] = entry
            response = {"stateMachineArn": machine.arn, "creationDate": entry.created}
            if publish:
                response["stateMachineVersionArn"] = self._publish(entry, versionDescription or "").arn
            self._keep(entry)
        return response

    @_operation("DescribeStateMachine")
    def describe_state_machine(self, *, stateMachineArn: str, **_: Any) -> dict[str, Any]:
        entry, version, _alias = self._qualified(stateMachineArn, "DescribeStateMachine")
        if _alias is not None:
            raise _wrong_resource_type(stateMachineArn, "DescribeStateMachine")
        described = {
            "stateMachineArn": version.arn if version else entry.machine.arn,
            "name": entry.machine.name,
            "status": "ACTIVE",
            "definition": version.definition if version else entry.definition,
            "roleArn": version.role_arn if version else entry.role_arn,
            "type": entry.type,
            "creationDate": version.created if version else entry.created,
            "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
            "tracingConfiguration": {"enabled": False},
            "revisionId": version.revision_id if version else entry.revision_id,
        }
        if version is not None and version.description:
            described["description"] = version.description
        return described

    @_operation("DescribeStateMachineForExecution")
    def describe_state_machine_for_execution(self, *, executionArn: str, **_: Any) -> dict[str, Any]:
        run = self._execution(executionArn, "DescribeStateMachineForExecution")
        entry = run.state_machine
        version = entry.versions.get(run.version_arn or "")
        described = {
            "stateMachineArn": entry.machine.arn,
            "name": entry.machine.name,
            "definition": version.definition if version else entry.definition,
            "roleArn": version.role_arn if version else entry.role_arn,
            "updateDate": entry.updated or entry.created,
            "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
            "tracingConfiguration": {"enabled": False},
            "revisionId": version.revision_id if version else entry.revision_id,
        }
        return described

    @_operation("ListStateMachines")
    def list_state_machines(self, *, maxResults: int = 0, nextToken: str | None = None, **_: Any) -> dict[str, Any]:
        with self._lock:
            entries = sorted(self._machines.values(), key=lambda e: e.machine.name)
        listed = [
            {"stateMachineArn": e.machine.arn, "name": e.machine.name, "type": e.type, "creationDate": e.created}
            for e in entries
        ]
        return page(listed, "stateMachines", maxResults, nextToken, 100)

    @_operation("UpdateStateMachine")
    def update_state_machine(
        self,
        *,
        stateMachineArn: str,
        definition: str | None = None,
        roleArn: str | None = None,
        publish: bool = False,
        versionDescription: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        entry = self._machine(stateMachineArn, "UpdateStateMachine")
        if definition is None and roleArn is None and not _:
            raise api_errors.MissingRequiredParameter(
                "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified",
                "UpdateStateMachine",
            )
        with self._lock:
            if definition is not None and definition != entry.definition:
                entry.machine = self._compile(entry.machine.name, definition, "UpdateStateMachine")
                entry.definition = definition
                entry.revision_id = str(uuid.uuid4())
            if roleArn is not None and roleArn != entry.role_arn:
                entry.role_arn = roleArn
                entry.revision_id = str(uuid.uuid4())
            entry.updated = self.clock.now()
            response: dict[str, Any] = {"updateDate": entry.updated, "revisionId": entry.revision_id}
            if publish:
                response["stateMachineVersionArn"] = self._publish(entry, versionDescription or "").arn
            self._keep(entry)
        return response

    @_operation("DeleteStateMachine")
    def delete_state_machine(self, *, stateMachineArn: str, **_: Any) -> dict[str, Any]:
        self._check_arn(stateMachineArn, "stateMachine", "DeleteStateMachine")
        with self._lock:
            entry = self._machines.pop(stateMachineArn, None)
        if entry is not None and self._kept is not None:
            self._kept.delete(stateMachineArn)
        return {}

    @_operation("ValidateStateMachineDefinition")
    def validate_state_machine_definition(
        self, *, definition: str, type: str = "STANDARD", severity: str = "ERROR", maxResults: int = 100, **_: Any
    ) -> dict[str, Any]:
        """Every problem with AWS's codes and JSON-pointer locations. As on AWS, ``severity`` is the
        lowest level reported (ERROR by default; WARNING adds warnings)."""
        try:
            diagnostics = validate_definition(load_definition(definition))
        except DefinitionError as invalid:
            diagnostics = invalid.diagnostics
        if severity == "ERROR":
            diagnostics = [d for d in diagnostics if d.severity == "ERROR"]
        shaped = api_shapes.validation_response(diagnostics[: maxResults or 100])
        shaped["truncated"] = len(diagnostics) > (maxResults or 100)
        return shaped

    # --- versions and aliases ---------------------------------------------------------------------

    @_operation("PublishStateMachineVersion")
    def publish_state_machine_version(
        self, *, stateMachineArn: str, revisionId: str | None = None, description: str | None = None, **_: Any
    ) -> dict[str, Any]:
        entry = self._machine(stateMachineArn, "PublishStateMachineVersion")
        with self._lock:
            if revisionId is not None and revisionId != entry.revision_id:
                raise ConflictException(
                    f"Failed to publish the State Machine version for revision {revisionId}. "
                    f"The current State Machine revision is {entry.revision_id}.",
                    "PublishStateMachineVersion",
                )
            version = self._publish(entry, description or "")
            self._keep(entry)
        return {"stateMachineVersionArn": version.arn, "creationDate": version.created}

    @_operation("ListStateMachineVersions")
    def list_state_machine_versions(
        self, *, stateMachineArn: str, maxResults: int = 0, nextToken: str | None = None, **_: Any
    ) -> dict[str, Any]:
        entry = self._machine(stateMachineArn, "ListStateMachineVersions")
        with self._lock:
            versions = list(reversed(entry.versions.values()))  # newest first, as AWS lists them
        listed = [{"stateMachineVersionArn": v.arn, "creationDate": v.created} for v in versions]
        return page(listed, "stateMachineVersions", maxResults, nextToken, 100)

    @_operation("DeleteStateMachineVersion")
    def delete_state_machine_version(self, *, stateMachineVersionArn: str, **_: Any) -> dict[str, Any]:
        entry, version, _alias = self._qualified(stateMachineVersionArn, "DeleteStateMachineVersion", missing_ok=True)
        if entry is None or version is None:
            return {}
        with self._lock:
            used_by = [a.arn for a in entry.aliases.values() if any(r["stateMachineVersionArn"] == version.arn for r in a.routing)]
            if used_by:
                raise ConflictException(
                    f"Version to be deleted must not be referenced by an alias. Current list of aliases "
                    f"referencing this version: [{', '.join(used_by)}]",
                    "DeleteStateMachineVersion",
                )
            entry.versions.pop(version.arn, None)
            self._keep(entry)
        return {}

    @_operation("CreateStateMachineAlias")
    def create_state_machine_alias(
        self, *, name: str, routingConfiguration: list[dict[str, Any]], description: str | None = None, **_: Any
    ) -> dict[str, Any]:
        operation = "CreateStateMachineAlias"
        entry = self._routing_machine(routingConfiguration, operation)
        if re.fullmatch(r"\d+", name):
            raise ValidationException(f"Invalid Alias name: '{name}' must not be a number", operation)
        arn = f"{entry.machine.arn}:{self._name(name, operation, 'alias')}"
        with self._lock:
            existing = entry.aliases.get(arn)
            if existing is not None:
                if (existing.routing, existing.description) != (routingConfiguration, description or ""):
                    raise ConflictException(f"Alias {arn} already exists with a different configuration", operation)
                return {"stateMachineAliasArn": arn, "creationDate": existing.created}
            now = self.clock.now()
            entry.aliases[arn] = Alias(arn, name, description or "", list(routingConfiguration), now, now)
            self._keep(entry)
        return {"stateMachineAliasArn": arn, "creationDate": now}

    @_operation("DescribeStateMachineAlias")
    def describe_state_machine_alias(self, *, stateMachineAliasArn: str, **_: Any) -> dict[str, Any]:
        alias = self._alias(stateMachineAliasArn, "DescribeStateMachineAlias")
        described = {
            "stateMachineAliasArn": alias.arn, "name": alias.name, "routingConfiguration": alias.routing,
            "creationDate": alias.created, "updateDate": alias.updated,
        }
        if alias.description:
            described["description"] = alias.description
        return described

    @_operation("UpdateStateMachineAlias")
    def update_state_machine_alias(
        self,
        *,
        stateMachineAliasArn: str,
        description: str | None = None,
        routingConfiguration: list[dict[str, Any]] | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        operation = "UpdateStateMachineAlias"
        alias = self._alias(stateMachineAliasArn, operation)
        if description is None and routingConfiguration is None:
            raise ValidationException("Either the description or the routing configuration must be specified", operation)
        with self._lock:
            if routingConfiguration is not None:
                owner = self._routing_machine(routingConfiguration, operation)
                if not alias.arn.startswith(owner.machine.arn + ":"):
                    raise ValidationException("Routing configuration must reference versions of the alias's state machine", operation)
                alias.routing = list(routingConfiguration)
            if description is not None:
                alias.description = description
            alias.updated = self.clock.now()
            self._keep(self._machine(alias.arn.rsplit(":", 1)[0], operation))
        return {"updateDate": alias.updated}

    @_operation("DeleteStateMachineAlias")
    def delete_state_machine_alias(self, *, stateMachineAliasArn: str, **_: Any) -> dict[str, Any]:
        entry, _version, alias = self._qualified(stateMachineAliasArn, "DeleteStateMachineAlias", missing_ok=True)
        if entry is not None and alias is not None:
            with self._lock:
                entry.aliases.pop(alias.arn, None)
                self._keep(entry)
        return {}

    @_operation("ListStateMachineAliases")
    def list_state_machine_aliases(
        self, *, stateMachineArn: str, maxResults: int = 0, nextToken: str | None = None, **_: Any
    ) -> dict[str, Any]:
        entry = self._machine(stateMachineArn, "ListStateMachineAliases")
        with self._lock:
            listed = [{"stateMachineAliasArn": a.arn, "creationDate": a.created} for a in entry.aliases.values()]
        return page(listed, "stateMachineAliases", maxResults, nextToken, 100)

    # --- tags ---------------------------------------------------------------------------------------

    @_operation("TagResource")
    def tag_resource(self, *, resourceArn: str, tags: list[dict[str, str]], **_: Any) -> dict[str, Any]:
        with self._lock:
            owner, current = self._tags(resourceArn, "TagResource")
            merged = current | _tag_dict(tags, "TagResource")
            if len(merged) > _MAX_TAGS:
                raise _too_many_tags("TagResource")
            current.update(merged)
            self._keep(owner)
        return {}

    @_operation("UntagResource")
    def untag_resource(self, *, resourceArn: str, tagKeys: list[str], **_: Any) -> dict[str, Any]:
        with self._lock:
            owner, current = self._tags(resourceArn, "UntagResource")
            for key in tagKeys:
                current.pop(key, None)
            self._keep(owner)
        return {}

    @_operation("ListTagsForResource")
    def list_tags_for_resource(self, *, resourceArn: str, **_: Any) -> dict[str, Any]:
        with self._lock:
            _owner, current = self._tags(resourceArn, "ListTagsForResource")
            return {"tags": [{"key": k, "value": v} for k, v in current.items()]}

    # --- executions -------------------------------------------------------------------------------

    @_operation("StartExecution")
    def start_execution(
        self, *, stateMachineArn: str, name: str | None = None, input: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """Start an execution on a background thread; ``stateMachineArn#TestCase`` mocks its tasks.
        A version or alias ARN runs that version (an alias picks one by its routing weights)."""
        arn, _, test_case = stateMachineArn.partition("#")
        entry, version, alias = self._qualified(arn, "StartExecution")
        if alias is not None:
            version = entry.versions[self._route(alias)]
        machine = version.machine if version else entry.machine
        input_text, value = self._input(input, "StartExecution")
        name = self._name(name or str(uuid.uuid4()), "StartExecution")
        arn_of_run = execution_arn(entry.machine.name, name)
        resources = None
        if test_case:
            config = self.mock_config if isinstance(self.mock_config, MockConfig) else MockConfig.load(self.mock_config)
            resources = MockedResources(machine.resources, config.test_case(entry.machine.name, test_case))
        if arn_of_run not in self._executions:
            self._adopt(arn_of_run)  # started by another process over this data root
        with self._lock:
            existing = self._executions.get(arn_of_run)
            if existing is not None:
                if existing.input == input_text and not existing.future.done():
                    return {"executionArn": arn_of_run, "startDate": existing.start_date}
                raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn_of_run}'", "StartExecution")
            run = ExecutionEntry(
                arn_of_run, name, entry, machine, input_text, History(self.clock), StopRequest(),
                version_arn=version.arn if version else None, alias_arn=alias.arn if alias else None,
            )
            self._executions[arn_of_run] = run
        threading.Thread(target=self._run, args=(run, value, resources), name=f"stepflow-{name}", daemon=True).start()
        while not run.history.last_event_id and not run.future.done():
            time.sleep(0.0005)  # ExecutionStarted is the run's first act
        if run.future.done() and run.future.exception() is not None:
            raise run.future.exception()  # type: ignore[misc]
        if self._kept is not None:
            self.store.save(run.execution(), only_new=True)  # RUNNING: a restart finds it and ends it
        return {"executionArn": arn_of_run, "startDate": run.start_date}

    @_operation("StartSyncExecution")
    def start_sync_execution(
        self, *, stateMachineArn: str, name: str | None = None, input: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """Run an EXPRESS state machine to its end and return the whole result, as AWS does."""
        entry, version, alias = self._qualified(stateMachineArn.partition("#")[0], "StartSyncExecution")
        if entry.type != "EXPRESS":
            raise StateMachineTypeNotSupported(
                "This operation is not supported by this type of state machine", "StartSyncExecution"
            )
        if alias is not None:
            version = entry.versions[self._route(alias)]
        input_text, value = self._input(input, "StartSyncExecution")
        name = self._name(name or str(uuid.uuid4()), "StartSyncExecution")
        execution = (version.machine if version else entry.machine).run(value, name=name, clock=self.clock)
        billing = {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": _billed_milliseconds(execution)}
        return (
            api_shapes.execution_fields(execution)
            | {"input": input_text, "inputDetails": {"included": True}, "billingDetails": billing}
            | api_shapes.outcome(execution)
        )

    @_operation("DescribeExecution")
    def describe_execution(self, *, executionArn: str, **_: Any) -> dict[str, Any]:
        run = self._execution(executionArn, "DescribeExecution")
        described = api_shapes.describe_execution(run.execution(), input_text=run.input)
        if run.version_arn:
            described["stateMachineVersionArn"] = run.version_arn
        if run.alias_arn:
            described["stateMachineAliasArn"] = run.alias_arn
        return described

    @_operation("GetExecutionHistory")
    def get_execution_history(
        self,
        *,
        executionArn: str,
        maxResults: int = 0,
        reverseOrder: bool = False,
        nextToken: str | None = None,
        includeExecutionData: bool = True,
        **_: Any,
    ) -> dict[str, Any]:
        run = self._execution(executionArn, "GetExecutionHistory")
        events = list(run.execution().history if run.future.done() else run.history.events)
        if reverseOrder:
            events.reverse()
        if not includeExecutionData:
            events = [_without_data(event) for event in events]
        return page(events, "events", maxResults, nextToken, 1000)

    @_operation("ListExecutions")
    def list_executions(
        self,
        *,
        stateMachineArn: str | None = None,
        mapRunArn: str | None = None,
        statusFilter: str | None = None,
        redriveFilter: str | None = None,
        maxResults: int = 0,
        nextToken: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        """``redriveFilter``: REDRIVEN (redriven at least once) or NOT_REDRIVEN."""
        if mapRunArn is not None:  # a Map Run's child executions
            return self.map_runs.list_children(
                mapRunArn=mapRunArn, statusFilter=statusFilter, maxResults=maxResults, nextToken=nextToken
            )
        if stateMachineArn is None:
            raise ValidationException("Must provide a StateMachine ARN or MapRun ARN", "ListExecutions")
        entry, version, alias = self._qualified(stateMachineArn, "ListExecutions")
        if statusFilter is not None and statusFilter not in api_shapes.EXECUTION_STATUSES:
            raise ValidationException(
                f"Value '{statusFilter}' at 'statusFilter' failed to satisfy constraint", "ListExecutions"
            )
        with self._lock:
            runs = [
                r for r in self._executions.values()
                if r.state_machine is entry
                and (version is None or r.version_arn == version.arn)
                and (alias is None or r.alias_arn == alias.arn)
            ]
        executions = [(run, run.execution()) for run in reversed(runs)]  # newest first
        listed = [
            api_shapes.list_item(e)
            | ({"stateMachineVersionArn": r.version_arn} if r.version_arn else {})
            | ({"stateMachineAliasArn": r.alias_arn} if r.alias_arn else {})
            for r, e in executions
            if statusFilter in (None, e.status)
            and redriveFilter in (None, "REDRIVEN" if api_shapes.redrive_count(e.history) else "NOT_REDRIVEN")
        ]
        return page(listed, "executions", maxResults, nextToken, 100)

    @_operation("StopExecution")
    def stop_execution(
        self, *, executionArn: str, error: str | None = None, cause: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """Abort a running execution (its lanes stop at their next state boundary or callback wait)."""
        run = self._execution(executionArn, "StopExecution")
        run.stop.stop(error, cause)
        execution = run.future.result()
        return {"stopDate": execution.stop_date}

    @_operation("RedriveExecution")
    def redrive_execution(self, *, executionArn: str, clientToken: str | None = None, **_: Any) -> dict[str, Any]:
        """Go on with a FAILED, TIMED_OUT or ABORTED execution from the state that did not succeed,
        on the input that state had, under the same ARN; the states that succeeded are not run
        again and their events stay (AWS CLI reference, redrive-execution). A Parallel or Map state
        runs again whole (AWS reruns only its failed branches and iterations). A call repeating the
        last one's ``clientToken`` (an SDK retrying) answers as that call did."""
        operation = "RedriveExecution"
        run = self._execution(executionArn, operation)
        with self._lock:
            if clientToken is not None and run.redriven_by is not None and run.redriven_by[0] == clientToken:
                return {"redriveDate": run.redriven_by[1]}
            ended = run.future.result() if run.future.done() else None
            status = ended.status if ended is not None else "RUNNING"
            if ended is None or status not in api_shapes.REDRIVABLE or run.state_machine.type == "EXPRESS":
                raise ExecutionNotRedrivable(
                    f"Execution is {status} and cannot be redriven: '{executionArn}'", operation
                )
            state, state_input = redrive_point(ended.history, run.machine, json.loads(run.input))
            redrive = Redrive(ended.history, state, state_input, api_shapes.redrive_count(ended.history) + 1)
            run.future, run.history, run.stop = Future(), History(self.clock), StopRequest()
        if self.store is not None:
            self.store.save(dataclasses.replace(ended, status="RUNNING", stop_date=None))
        threading.Thread(
            target=self._run, args=(run, json.loads(run.input), None, redrive), name=f"stepflow-{run.name}", daemon=True
        ).start()
        while run.history.last_event_id <= len(ended.history) and not run.future.done():
            time.sleep(0.0005)  # ExecutionRedriven is the run's first act
        redrive_date = run.history.events[len(ended.history)]["timestamp"]
        if clientToken is not None:
            run.redriven_by = (clientToken, redrive_date)
        return {"redriveDate": redrive_date}

    @_operation("ListMapRuns")
    def list_map_runs(self, **request: Any) -> dict[str, Any]:
        self._execution(request.get("executionArn", ""), "ListMapRuns")
        return self.map_runs.list_map_runs(**request)

    @_operation("DescribeMapRun")
    def describe_map_run(self, **request: Any) -> dict[str, Any]:
        return self.map_runs.describe_map_run(**request)

    @_operation("UpdateMapRun")
    def update_map_run(self, **request: Any) -> dict[str, Any]:
        return self.map_runs.update_map_run(**request)

    def execution_record(self, executionArn: str) -> Any:
        """stepflow only: the execution itself (``stepflow.Execution``'s attributes: history, steps,
        definition), ended or as far as it has run, for graphs, traces and timelines."""
        return self._execution(executionArn, "DescribeExecution").execution()

    def compiled_definition(self, stateMachineArn: str) -> dict[str, Any]:
        """stepflow only: the state machine's definition as it runs (``${Name}`` substituted)."""
        entry, version, _alias = self._qualified(stateMachineArn, "DescribeStateMachine")
        return (version.machine if version else entry.machine).definition

    def wait_for_execution(self, executionArn: str, timeout: float = 30.0) -> dict[str, Any]:
        """stepflow only: wait (real seconds) until the execution ends, then DescribeExecution."""
        run = self._execution(executionArn, "DescribeExecution")
        run.future.result(timeout)
        return self.describe_execution(executionArn=executionArn)

    # --- callbacks and activities -----------------------------------------------------------------

    @_operation("SendTaskSuccess")
    def send_task_success(self, *, taskToken: str, output: str, **_: Any) -> dict[str, Any]:
        try:
            value = json.loads(output)
        except (TypeError, json.JSONDecodeError) as error:
            raise InvalidOutput(f"Invalid Output: '{error}'", "SendTaskSuccess") from None
        self._tokens("SendTaskSuccess", lambda: self.callbacks.send_success(taskToken, value))
        return {}

    @_operation("SendTaskFailure")
    def send_task_failure(
        self, *, taskToken: str, error: str | None = None, cause: str | None = None, **_: Any
    ) -> dict[str, Any]:
        self._tokens("SendTaskFailure", lambda: self.callbacks.send_failure(taskToken, error, cause))
        return {}

    @_operation("SendTaskHeartbeat")
    def send_task_heartbeat(self, *, taskToken: str, **_: Any) -> dict[str, Any]:
        self._tokens("SendTaskHeartbeat", lambda: self.callbacks.send_heartbeat(taskToken))
        return {}

    @_operation("CreateActivity")
    def create_activity(self, *, name: str, tags: list[dict[str, str]] | None = None, **_: Any) -> dict[str, Any]:
        name = self._name(name, "CreateActivity", "activity")
        arn = f"arn:aws:states:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:activity:{name}"
        with self._lock:
            activity = self._activities.setdefault(
                arn, {"activityArn": arn, "name": name, "creationDate": self.clock.now(), "tags": {}}
            )
            activity["tags"] |= _tag_dict(tags or [], "CreateActivity")
            self._keep_activity(activity)
        self.callbacks.create_activity(arn)
        return {"activityArn": arn, "creationDate": activity["creationDate"]}

    @_operation("DescribeActivity")
    def describe_activity(self, *, activityArn: str, **_: Any) -> dict[str, Any]:
        activity = self._activity(activityArn, "DescribeActivity")
        return {k: activity[k] for k in ("activityArn", "name", "creationDate")}

    @_operation("ListActivities")
    def list_activities(self, *, maxResults: int = 0, nextToken: str | None = None, **_: Any) -> dict[str, Any]:
        with self._lock:
            listed = [{k: a[k] for k in ("activityArn", "name", "creationDate")} for a in self._activities.values()]
        return page(listed, "activities", maxResults, nextToken, 100)

    @_operation("DeleteActivity")
    def delete_activity(self, *, activityArn: str, **_: Any) -> dict[str, Any]:
        self._check_arn(activityArn, "activity", "DeleteActivity")
        with self._lock:
            self._activities.pop(activityArn, None)
        if self._kept is not None:
            self._kept.delete(activityArn)
        self.callbacks.delete_activity(activityArn)
        return {}

    @_operation("GetActivityTask")
    def get_activity_task(self, *, activityArn: str, workerName: str | None = None, **_: Any) -> dict[str, Any]:
        """The next task of the activity, waiting up to ``activity_poll_seconds``; ``{}`` when none came."""
        return self.activity_task_within(self.activity_poll_seconds, activityArn=activityArn, workerName=workerName)

    def activity_task_within(
        self, seconds: float, *, activityArn: str, workerName: str | None = None, **_: Any
    ) -> dict[str, Any]:
        """stepflow only: GetActivityTask waiting at most ``seconds`` (the server polls in slices, so
        a worker that hung up is not handed a task)."""
        self._activity(activityArn, "GetActivityTask")
        task = self.callbacks.take_activity_task(activityArn, workerName, seconds)
        if task is None:
            return {}
        return {"taskToken": task.token, "input": to_json(task.input)}

    # --- single states ----------------------------------------------------------------------------

    @_operation("TestState")
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
        if operation_name not in PAGINATED:
            raise ValueError(f"Operation cannot be paginated: {operation_name}")
        return Paginator(getattr(self, operation_name), PAGINATED[operation_name])

    def close(self) -> None:
        """Stop every running execution and release the worker threads."""
        with self._lock:
            runs = list(self._executions.values())
        for run in runs:
            run.stop.stop()
        for run in runs:
            run.future.exception()  # waits for the run to end

    # --- internals --------------------------------------------------------------------------------

    def _run(
        self, run: ExecutionEntry, value: Any, resources: MockedResources | None, redrive: Redrive | None = None
    ) -> None:
        """The execution's own thread: a callback task may wait for hours, so none shares a pool."""
        try:
            execution = run.machine.run(
                value, name=run.name, clock=self.clock, resources=resources, stop=run.stop, history=run.history,
                redrive=redrive,
            )
            # A version's or alias's run belongs to the state machine itself, as AWS lists it.
            execution.state_machine_arn = run.state_machine.machine.arn
            if self.store is not None:
                self.store.save(execution)
        except BaseException as crash:  # a bug, not an execution failure: surface it to the caller
            run.future.set_exception(crash)
            return
        run.future.set_result(execution)

    def _publish(self, entry: StateMachineEntry, description: str) -> Version:
        """A new version of the current revision, or the latest one when it already is that revision
        (publishing is idempotent on AWS)."""
        latest = next(reversed(entry.versions.values()), None)
        if latest is not None and latest.revision_id == entry.revision_id:
            return latest
        arn = f"{entry.machine.arn}:{entry.next_version}"
        entry.next_version += 1
        version = Version(arn, entry.machine, entry.definition, entry.role_arn, entry.revision_id, description, self.clock.now())
        entry.versions[arn] = version
        return version

    def _route(self, alias: Alias) -> str:
        """The version an execution through ``alias`` runs: chosen by the routing weights."""
        pick = self.rng.uniform(0, sum(r["weight"] for r in alias.routing))
        for route in alias.routing:
            pick -= route["weight"]
            if pick <= 0:
                return str(route["stateMachineVersionArn"])
        return str(alias.routing[-1]["stateMachineVersionArn"])

    def _routing_machine(self, routing: list[dict[str, Any]], operation: str) -> StateMachineEntry:
        """The state machine whose versions ``routing`` names (one or two, weights adding up to 100)."""
        if not 1 <= len(routing) <= 2 or sum(r.get("weight", 0) for r in routing) != 100:
            raise ValidationException(
                "Routing configuration must contain one or two versions whose weights add up to 100", operation
            )
        owners = set()
        for route in routing:
            entry, version, alias = self._qualified(route["stateMachineVersionArn"], operation)
            if version is None:
                raise ValidationException(
                    f"Routing configuration must reference state machine versions: '{route['stateMachineVersionArn']}'", operation
                )
            owners.add(entry.machine.arn)
        if len(owners) != 1 or len({r["stateMachineVersionArn"] for r in routing}) != len(routing):
            raise ValidationException("Routing configuration must reference distinct versions of one state machine", operation)
        return entry

    def _compile(self, name: str, definition: str, operation: str) -> StateMachine:
        self._name(name, operation, "state machine")
        if not isinstance(definition, str) or not definition.lstrip().startswith("{"):
            raise InvalidDefinition("Invalid State Machine Definition: 'the definition must be JSON text'", operation)
        try:
            machine = StateMachine(
                definition, resources=self.resources, substitutions=self.substitutions, name=name,
                clock=self.clock, callbacks=self.callbacks, state_machines=self._state_machines,
            )
            machine.map_runs.on_map_run = self.map_runs.track
            return machine
        except DefinitionError as invalid:
            raise InvalidDefinition(_definition_message(invalid.diagnostics), operation) from None

    def _machine(self, arn: str, operation: str) -> StateMachineEntry:
        return self._find(self._machines, arn, operation, StateMachineDoesNotExist, "stateMachine")

    def _qualified(
        self, arn: str, operation: str, missing_ok: bool = False
    ) -> tuple[Any, Version | None, Alias | None]:
        """(state machine, version, alias) that a state machine, version or alias ARN names."""
        self._check_arn(arn, "stateMachine", operation)
        base, qualifier = arn, None
        if arn.count(":") == 7:
            base, qualifier = arn.rsplit(":", 1)
        if base not in self._machines and self._kept is not None:  # created by another process here
            record = self._kept.get(base)
            if record is not None:
                self._load_machine(record)
        with self._lock:
            entry = self._machines.get(base)
            version = entry.versions.get(arn) if entry and qualifier and qualifier.isdigit() else None
            alias = entry.aliases.get(arn) if entry and qualifier and not qualifier.isdigit() else None
        if entry is None or (qualifier and version is None and alias is None):
            if missing_ok:
                return None, None, None
            missing = ResourceNotFound if qualifier and not qualifier.isdigit() else StateMachineDoesNotExist
            words = "Resource not found" if missing is ResourceNotFound else "State Machine Does Not Exist"
            raise missing(f"{words}: '{arn}'", operation)
        return entry, version, alias

    def _alias(self, arn: str, operation: str) -> Alias:
        _entry, _version, alias = self._qualified(arn, operation)
        if alias is None:
            raise _wrong_resource_type(arn, operation)
        return alias

    def _tags(self, arn: str, operation: str) -> tuple[Any, dict[str, str]]:
        """(the resource that holds them, its tag dict) for a state machine or activity ARN."""
        with self._lock:
            if arn in self._machines:
                return self._machines[arn], self._machines[arn].tags
            if arn in self._activities:
                return self._activities[arn], self._activities[arn]["tags"]
        if not arn.startswith("arn:aws:states:"):
            raise InvalidArn(f"Invalid Arn: '{arn}'", operation)
        raise ResourceNotFound(f"Resource not found: '{arn}'", operation)

    def _execution(self, arn: str, operation: str) -> ExecutionEntry:
        if arn not in self._executions:
            self._adopt(arn)
        return self._find(self._executions, arn, operation, ExecutionDoesNotExist, "execution")

    def _adopt(self, arn: str) -> None:
        """Take in an execution another process saved in this durable client's store (``stepflow
        bucket put`` delivering an upload event, ``stepflow run``), as it was last saved."""
        if self._kept is None:
            return
        try:
            stored = self.store.get(arn)
        except StepflowError:
            return
        entry = self._machines.get(stored.state_machine_arn)
        if entry is not None:
            self._take_in(stored, entry)

    def _take_in(self, stored: Any, entry: StateMachineEntry) -> ExecutionEntry:
        """An ended (or elsewhere running) stored execution as one of this client's."""
        for event in stored.history:
            if isinstance(event["timestamp"], str):
                event["timestamp"] = datetime.fromisoformat(event["timestamp"])
        run = ExecutionEntry(
            stored.execution_arn, stored.name, entry, entry.machine, to_json(stored.input), History(self.clock), StopRequest()
        )
        run.future.set_result(stored)
        with self._lock:
            return self._executions.setdefault(run.arn, run)

    def _activity(self, arn: str, operation: str) -> dict[str, Any]:
        return self._find(self._activities, arn, operation, ActivityDoesNotExist, "activity")

    @staticmethod
    def _check_arn(arn: str, resource_type: str, operation: str) -> None:
        if not arn.startswith("arn:") or f":{resource_type}:" not in arn:
            raise _wrong_resource_type(arn, operation)

    def _find(
        self,
        table: dict[str, _Entry],
        arn: str,
        operation: str,
        missing: type[api_errors.ClientError],
        resource_type: str,
    ) -> _Entry:
        """The entry ``arn`` names; InvalidArn when it names another ``resource_type``, else ``missing``
        (whose message is its name in words: "State Machine Does Not Exist: 'arn:...'", as AWS says)."""
        self._check_arn(arn, resource_type, operation)
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
            raise type(refused)(refused.message, operation) from None

    # --- durability ---------------------------------------------------------------------------------

    def _keep(self, entry: StateMachineEntry | dict[str, Any]) -> None:
        """Write a state machine (or an activity's dict) to the resource store, when durable."""
        if isinstance(entry, dict):
            self._keep_activity(entry)
        elif self._kept is not None:
            self._kept.put(entry.machine.arn, "stateMachine", entry.record())

    def _keep_activity(self, activity: dict[str, Any]) -> None:
        if self._kept is not None:
            self._kept.put(activity["activityArn"], "activity", activity | {"creationDate": activity["creationDate"].isoformat()})

    def _load_machine(self, record: dict[str, Any]) -> StateMachineEntry | None:
        """A kept state machine record as this client's entry (None, said on stderr, when its
        definition does not compile here, e.g. its ``${Name}`` substitutions are not bound)."""
        try:
            machine = self._compile(record["name"], record["definition"], "CreateStateMachine")
            entry = StateMachineEntry(
                machine, record["definition"], record["roleArn"], record["type"],
                datetime.fromisoformat(record["creationDate"]), record["revisionId"],
                datetime.fromisoformat(record["updateDate"]) if record["updateDate"] else None,
                next_version=record["nextVersion"], tags=record["tags"],
            )
            for v in record["versions"]:
                compiled = machine if v["definition"] == record["definition"] else self._compile(
                    record["name"], v["definition"], "PublishStateMachineVersion"
                )
                entry.versions[v["arn"]] = Version(
                    v["arn"], compiled, v["definition"], v["roleArn"], v["revisionId"], v["description"],
                    datetime.fromisoformat(v["creationDate"]),
                )
        except ClientError as invalid:
            print(f"stepflow: state machine {record['name']} not loaded: {invalid.message}", file=sys.stderr)
            return None
        for a in record["aliases"]:
            entry.aliases[a["arn"]] = Alias(
                a["arn"], a["name"], a["description"], a["routing"],
                datetime.fromisoformat(a["creationDate"]), datetime.fromisoformat(a["updateDate"]),
            )
        with self._lock:
            return self._machines.setdefault(machine.arn, entry)

    def _restore(self, recover: bool) -> None:
        """Load what earlier clients in this data root kept; with ``recover`` end the executions
        left running."""
        assert self._kept is not None
        for record in self._kept.load("stateMachine"):
            self._load_machine(record)
        for activity in self._kept.load("activity"):
            activity["creationDate"] = datetime.fromisoformat(activity["creationDate"])
            self._activities[activity["activityArn"]] = activity
            self.callbacks.create_activity(activity["activityArn"])
        for stored in reversed(self.store.list()):  # oldest first, as they were started
            entry = self._machines.get(stored.state_machine_arn)
            if entry is None:
                continue
            self._take_in(stored, entry)
            if recover and stored.status == "RUNNING":
                end_interrupted(stored, self.clock.now())
                self.store.save(stored)


_OPERATIONS: dict[str, Callable[..., dict[str, Any]]] = {
    method.operation_name: method for method in vars(Client).values() if hasattr(method, "operation_name")
}


def _wrong_resource_type(arn: str, operation: str) -> InvalidArn:
    return InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'", operation)


def _tag_dict(tags: list[dict[str, str]], operation: str) -> dict[str, str]:
    if len(tags) > _MAX_TAGS:
        raise _too_many_tags(operation)
    return {tag["key"]: tag["value"] for tag in tags}


def _too_many_tags(operation: str) -> TooManyTags:
    return TooManyTags(f"Too many tags: a resource can have at most {_MAX_TAGS} tags", operation)


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
